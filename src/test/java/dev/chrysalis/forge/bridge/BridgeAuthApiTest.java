package dev.chrysalis.forge.bridge;

import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bridge clients authenticate with the bridge token on every frame (real TCP bridge framing): a
 * client without it or with another value is refused and reads nothing; with it, usage events arrive.
 */
class BridgeAuthApiTest {

  @TempDir
  Path tmp;

  private static JsonObject usage(String id) {
    return new JsonObject().put("id", id).put("user_id", "usr_bridge_auth").put("org_id", null)
      .put("provider", "openai").put("model", "gpt-4o-mini").put("input_tokens", 3).put("output_tokens", 2)
      .put("is_byok", false);
  }

  /** Frames up to and including the next pong. */
  private static List<JsonObject> untilPong(BridgeFrames client) throws Exception {
    client.ping();
    List<JsonObject> frames = new ArrayList<>();
    JsonObject f;
    do {
      f = client.read();
      frames.add(f);
    } while (!"pong".equals(f.getString("type")));
    return frames;
  }

  @Test
  void withoutTheTokenOrWithAnotherOneAClientReadsNothing() throws Exception {
    int port = freePort();
    String token = BridgeFrames.token();
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_BRIDGE_PORT", String.valueOf(port),
      "CHRYSALIS_BRIDGE_TOKEN", token));
         BridgeFrames good = new BridgeFrames(port);
         BridgeFrames none = new BridgeFrames(port);
         BridgeFrames wrong = new BridgeFrames(port)) {
      good.register(UsageEvent.ADDRESS, token);
      assertThat(untilPong(good)).extracting(f -> f.getString("type")).containsExactly("pong");
      none.register(UsageEvent.ADDRESS, null);
      assertThat(untilPong(none)).extracting(f -> f.getString("type")).containsExactly("err", "pong");
      wrong.register(UsageEvent.ADDRESS, BridgeFrames.token());
      assertThat(untilPong(wrong)).extracting(f -> f.getString("type")).containsExactly("err", "pong");
      // a token that differs only in its last character is no better
      wrong.register(UsageEvent.ADDRESS, token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A"));
      assertThat(untilPong(wrong)).extracting(f -> f.getString("type")).containsExactly("err", "pong");

      UsageEvent.publish(app.vertx(), usage("req_bridge_auth_1"));
      JsonObject received = good.read();
      assertThat(received.getString("type")).isEqualTo("message");
      assertThat(received.getJsonObject("body").getString("id")).isEqualTo("req_bridge_auth_1");
      // the good client got the event; the refused ones have nothing before their next pong
      assertThat(untilPong(none)).extracting(f -> f.getString("type")).containsExactly("pong");
      assertThat(untilPong(wrong)).extracting(f -> f.getString("type")).containsExactly("pong");
    }
  }

  @Test
  void developmentGeneratesAnOwnerOnlyTokenFileAndProductionNeedsAToken() throws Exception {
    int port = freePort();
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_BRIDGE_PORT", String.valueOf(port)))) {
      Path file = Path.of(app.app().config().getString("data_dir")).resolve(BridgeToken.FILE);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      String token = Files.readString(file).trim();
      assertThat(token.length()).isGreaterThanOrEqualTo(BridgeToken.MIN_LENGTH);
      try (BridgeFrames client = new BridgeFrames(port)) {
        client.register(UsageEvent.ADDRESS, token);
        assertThat(untilPong(client)).extracting(f -> f.getString("type")).containsExactly("pong");
        UsageEvent.publish(app.vertx(), usage("req_bridge_auth_2"));
        assertThat(client.read().getJsonObject("body").getString("id")).isEqualTo("req_bridge_auth_2");
      }
    }
    BridgeConfig tokenless = BridgeConfig.from(new JsonObject().put("bridge", new JsonObject().put("port", 1)
      .put("host", "0.0.0.0")));
    assertThatThrownBy(() -> BridgeToken.load(tokenless, true, tmp)).hasMessageContaining("CHRYSALIS_BRIDGE_TOKEN");
    assertThat(Files.exists(tmp.resolve(BridgeToken.FILE))).isFalse();
    BridgeConfig weak = BridgeConfig.from(new JsonObject().put("bridge", new JsonObject().put("port", 1)
      .put("token", "short")));
    assertThatThrownBy(() -> BridgeToken.load(weak, false, tmp)).hasMessageContaining("at least");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
