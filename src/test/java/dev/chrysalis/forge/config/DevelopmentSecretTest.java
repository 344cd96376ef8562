package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated development secret is readable by its owner only and kept across starts. */
class DevelopmentSecretTest {

  @TempDir
  Path tmp;

  @Test
  void aFreshDataDirGetsAnOwnerOnlyKeyThatIsReusedNextStart() throws Exception {
    Path dataDir = tmp.resolve("fresh-data");
    JsonObject first = new JsonObject().put("env", "development").put("data_dir", dataDir.toString());
    Secrets.ensureSecretKey(first);

    Path file = dataDir.resolve("secret.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String key = first.getJsonObject("auth").getString("secret_key");
    assertThat(Base64.getUrlDecoder().decode(key)).hasSize(32);
    assertThat(Files.readString(file)).isEqualTo(key);

    JsonObject second = new JsonObject().put("env", "development").put("data_dir", dataDir.toString());
    Secrets.ensureSecretKey(second);
    assertThat(second.getJsonObject("auth").getString("secret_key")).isEqualTo(key);
  }

  @Test
  void ownerOnlyFilesAreCreatedWithTheModeAndNeverOverwritten() throws Exception {
    Path file = tmp.resolve("token");
    Secrets.writeOwnerOnly(file, "first");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThatThrownBy(() -> Secrets.writeOwnerOnly(file, "second"))
      .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("first");
  }

  @Test
  void productionWithoutAKeyRefusesAndWritesNothing() {
    Path dataDir = tmp.resolve("prod-data");
    JsonObject config = new JsonObject().put("env", "production").put("data_dir", dataDir.toString());
    assertThatThrownBy(() -> Secrets.ensureSecretKey(config)).hasMessageContaining("CHRYSALIS_SECRET_KEY");
    assertThat(Files.exists(dataDir.resolve("secret.key"))).isFalse();
  }
}
