package dev.chrysalis.forge.store;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded default: no database URL, data under the data dir. What was written before a
 * stop is there after a start on the same directory, and tokens issued before still verify.
 */
class EmbeddedRestartTest {

  @Test
  void dataSurvivesARestartOnTheSameDataDir() throws Exception {
    Path dataDir = Files.createTempDirectory("forge-restart");
    Map<String, String> env = TestApp.env("CHRYSALIS_DATABASE_URL", "", "CHRYSALIS_DATA_DIR", dataDir.toString());
    Users.Registered user;
    try (TestApp first = TestApp.start(env)) {
      user = Users.register(first.api());
    }
    assertThat(dataDir.resolve("postgres")).isDirectory();
    try (TestApp second = TestApp.start(env)) {
      Api api = second.api();
      api.call("loginUser").body(new JsonObject().put("email", user.email()).put("password", Users.PASSWORD))
        .send().expect(200);
      api.call("getCurrentUser").bearer(user.token()).send().expect(200);
    }
  }

  @Test
  void withoutASecretKeyDevelopmentGeneratesOneAndKeepsIt() throws Exception {
    Path dataDir = Files.createTempDirectory("forge-secret");
    Users.Registered user;
    String databaseUrl;
    try (TestApp first = TestApp.start(TestApp.env("CHRYSALIS_DATA_DIR", dataDir.toString(), "CHRYSALIS_SECRET_KEY", ""))) {
      user = Users.register(first.api());
      databaseUrl = first.databaseUrl();
    }
    String secret = Files.readString(dataDir.resolve("secret.key"));
    assertThat(secret.length()).isGreaterThanOrEqualTo(43);
    try (TestApp second = TestApp.start(TestApp.env("CHRYSALIS_DATA_DIR", dataDir.toString(), "CHRYSALIS_SECRET_KEY", "",
      "CHRYSALIS_DATABASE_URL", databaseUrl))) {
      // a token from the first run verifies: the generated key was reused
      second.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
    }
    assertThat(Files.readString(dataDir.resolve("secret.key"))).isEqualTo(secret);
  }

  @Test
  void productionRefusesToStartWithoutARealSecret() {
    assertThatThrownBy(() -> TestApp.start(TestApp.env("CHRYSALIS_ENV", "production", "CHRYSALIS_SECRET_KEY", "")))
      .hasMessageContaining("CHRYSALIS_SECRET_KEY");
    assertThatThrownBy(() -> TestApp.start(TestApp.env("CHRYSALIS_SECRET_KEY", "too-short")))
      .hasMessageContaining("at least 32 bytes");
  }
}
