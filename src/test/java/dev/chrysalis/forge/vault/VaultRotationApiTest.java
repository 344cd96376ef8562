package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Key rotation on one database: keys written under version 1; a node with versions 1 and 2 reads
 * them, rewraps everything (over the bus), a node with only version 2 still opens every key; then
 * the CLI ({@code vault rewrap}) moves everything to version 3 and reports an undecryptable row.
 */
@ExtendWith(NoKeyLeaks.class)
class VaultRotationApiTest {

  private static String newKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static List<String> versions(String db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT encrypted_key FROM provider_keys ORDER BY id");
      while (rs.next()) {
        out.add(rs.getString(1).substring(0, rs.getString(1).indexOf(':')));
      }
    }
    return out;
  }

  @Test
  void rotateRewrapRemoveTheOldKeyAndEveryKeyStillDecrypts() throws Exception {
    String db = TestDatabase.freshDatabaseUrl();
    String k1 = newKey();
    String k2 = newKey();
    String k3 = newKey();
    Map<String, String[]> stored = new LinkedHashMap<>(); // user id -> {provider, key}

    try (TestApp v1 = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", db, "CHRYSALIS_VAULT_KEYS", "1:" + k1))) {
      for (int i = 0; i < 5; i++) {
        Users.Registered u = Users.register(v1.api());
        String[] entry = i % 2 == 0 ? new String[] {"openai", PlaintextKeys.fresh("sk-")}
          : new String[] {"anthropic", PlaintextKeys.fresh("sk-ant-")};
        v1.api().call("addProviderKey").bearer(u.token())
          .body(new JsonObject().put("provider", entry[0]).put("api_key", entry[1])).send().expect(201);
        stored.put(u.id(), entry);
      }
    }
    assertThat(versions(db)).hasSize(5).containsOnly("v1");

    Users.Registered late;
    String lateKey = PlaintextKeys.fresh("sk-");
    try (TestApp v12 = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", db, "CHRYSALIS_VAULT_KEYS",
      "1:" + k1 + ",2:" + k2))) {
      stored.forEach((user, entry) -> assertThat(VaultCalls.resolve(v12, VaultCalls.personal(user, entry[0]))
        .getString("key")).isEqualTo(entry[1]));
      late = Users.register(v12.api());
      v12.api().call("addProviderKey").bearer(late.token())
        .body(new JsonObject().put("provider", "openai").put("api_key", lateKey)).send().expect(201);
      assertThat(versions(db)).containsOnly("v1", "v2");

      JsonObject report = VaultCalls.rewrap(v12);
      assertThat(report.getInteger("current_version")).isEqualTo(2);
      assertThat(report.getInteger("rewrapped")).isEqualTo(5);
      assertThat(report.getJsonArray("failed")).isEmpty();
      assertThat(versions(db)).hasSize(6).containsOnly("v2");
      // keys keep working on the node that rewrapped (its cache was dropped)
      stored.forEach((user, entry) -> assertThat(VaultCalls.resolve(v12, VaultCalls.personal(user, entry[0]))
        .getString("key")).isEqualTo(entry[1]));
    }
    stored.put(late.id(), new String[] {"openai", lateKey});

    try (TestApp v2 = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", db, "CHRYSALIS_VAULT_KEYS", "2:" + k2))) {
      stored.forEach((user, entry) -> assertThat(VaultCalls.resolve(v2, VaultCalls.personal(user, entry[0]))
        .getString("key")).isEqualTo(entry[1]));
    }

    // a row no configured key opens: a version-2 ciphertext moved onto another user's row
    String brokenId;
    String brokenOwner;
    try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT id, user_id FROM provider_keys WHERE provider = 'anthropic' ORDER BY id LIMIT 1");
      rs.next();
      brokenId = rs.getString(1);
      brokenOwner = rs.getString(2);
      try (PreparedStatement p = c.prepareStatement("UPDATE provider_keys SET encrypted_key = "
        + "(SELECT encrypted_key FROM provider_keys WHERE provider = 'openai' ORDER BY id LIMIT 1) WHERE id = ?")) {
        p.setString(1, brokenId);
        assertThat(p.executeUpdate()).isEqualTo(1);
      }
    }

    JsonObject config = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", Path.of("conf", "forge.yaml").toString()));
    Map<String, String> env = TestApp.baseEnv();
    env.put("CHRYSALIS_DATA_DIR", Files.createTempDirectory("forge-cli").toString());
    env.put("CHRYSALIS_DATABASE_URL", db);
    env.put("CHRYSALIS_VAULT_KEYS", "2:" + k2 + ",3:" + k3);
    env.put("CHRYSALIS_VAULT_REWRAP_BATCH_SIZE", "2");
    EnvOverrides.apply(config, env);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = VaultCli.run(new String[] {"vault", "rewrap"}, config, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(3);
    JsonObject cli = new JsonObject(printed);
    assertThat(cli.getInteger("current_version")).isEqualTo(3);
    assertThat(cli.getInteger("rewrapped")).isEqualTo(5);
    assertThat(cli.getInteger("batches")).isGreaterThanOrEqualTo(3);
    JsonArray failed = cli.getJsonArray("failed");
    assertThat(failed).hasSize(1);
    assertThat(failed.getJsonObject(0).getString("id")).isEqualTo(brokenId);
    assertThat(failed.getJsonObject(0).getString("owner_kind")).isEqualTo("user");
    assertThat(failed.getJsonObject(0).getString("owner_id")).isEqualTo(brokenOwner);
    assertThat(failed.getJsonObject(0).getString("provider")).isEqualTo("anthropic");
    assertThat(printed).doesNotContain(PlaintextKeys.MARKER);
    try (Connection c = TestDatabase.connect(db); PreparedStatement p =
      c.prepareStatement("SELECT is_valid, invalid_reason FROM provider_keys WHERE id = ?")) {
      p.setString(1, brokenId);
      ResultSet rs = p.executeQuery();
      rs.next();
      assertThat(rs.getBoolean(1)).isFalse();
      assertThat(rs.getString(2)).isEqualTo("undecryptable");
    }
    assertThat(versions(db)).containsOnly("v3", "v2"); // only the broken row stays behind

    stored.remove(brokenOwner);
    try (TestApp v3 = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", db, "CHRYSALIS_VAULT_KEYS", "3:" + k3))) {
      stored.forEach((user, entry) -> assertThat(VaultCalls.resolve(v3, VaultCalls.personal(user, entry[0]))
        .getString("key")).isEqualTo(entry[1]));
      ServiceException unusable = VaultCalls.resolveFails(v3, VaultCalls.personal(brokenOwner, "anthropic"));
      assertThat(unusable.failureCode()).isEqualTo(422);
      assertThat(unusable.getDebugInfo().getString("code")).isEqualTo("provider_key_unusable");
      assertThat(v3.api().call("getMetrics").send().expect(200).text())
        .containsPattern("forge_vault_decrypt_failures_total\\{reason=\"undecryptable\"} [1-9]");
      try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("SELECT count(*) FROM provider_keys WHERE key_version = 3");
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(5);
      }
      Api.Resp usage = v3.api().call("addProviderKey").send();
      assertThat(usage.status()).isEqualTo(401);
    }

    ByteArrayOutputStream usageErr = new ByteArrayOutputStream();
    assertThat(VaultCli.run(new String[] {"vault", "nope"}, config, System.out,
      new PrintStream(usageErr, true, StandardCharsets.UTF_8))).isEqualTo(2);
  }
}
