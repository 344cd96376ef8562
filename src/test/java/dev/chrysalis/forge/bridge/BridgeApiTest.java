package dev.chrysalis.forge.bridge;

import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TCP event-bus bridge driven from outside Java: a Node script (src/test/node, raw frames,
 * nothing from npm) subscribes to forge.usage.recorded, receives the event Java publishes, and is
 * refused when it subscribes to or sends on an address that is not permitted.
 */
class BridgeApiTest {

  @Test
  void aNodeClientFollowsUsageEventsAndIsRefusedElsewhere() throws Exception {
    assumeTrue(nodeAvailable(), "node is not installed");
    int port = freePort();
    String token = BridgeFrames.token();
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_BRIDGE_PORT", String.valueOf(port),
      "CHRYSALIS_BRIDGE_TOKEN", token))) {
      ProcessBuilder script = new ProcessBuilder("node", Path.of("src", "test", "node", "usage-subscriber.mjs").toString(),
        String.valueOf(port)).redirectError(ProcessBuilder.Redirect.INHERIT);
      script.environment().put("FORGE_BRIDGE_TOKEN", token);
      Process node = script.start();
      try {
        BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        assertThat(new JsonObject(lines.readLine()).getString("event")).isEqualTo("ready");
        JsonObject usage = new JsonObject().put("id", "req_bridge_1").put("user_id", "usr_bridge").put("org_id", null)
          .put("provider", "openai").put("model", "gpt-4o-mini").put("input_tokens", 21).put("output_tokens", 7)
          .put("is_byok", true);
        UsageEvent.publish(app.vertx(), usage);
        List<JsonObject> seen = new ArrayList<>();
        String line;
        while ((line = lines.readLine()) != null) {
          seen.add(new JsonObject(line));
        }
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as("node output: " + seen).isZero();
        JsonObject received = seen.get(0).getJsonObject("body");
        assertThat(seen.get(0).getString("event")).isEqualTo("usage");
        assertThat(received.getString("id")).isEqualTo("req_bridge_1");
        assertThat(received.getString("provider")).isEqualTo("openai");
        assertThat(received.getLong("input_tokens")).isEqualTo(21L);
        assertThat(received.getBoolean("is_byok")).isTrue();
        assertThat(received.getString("at")).isNotBlank();
        assertThat(seen.subList(1, seen.size())).extracting(o -> o.getString("event") + ":" + o.getString("message"))
          .containsExactly("err:access_denied", "err:access_denied");
      } finally {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void offByDefaultAndOnLoopbackWhenOn() throws Exception {
    BridgeConfig defaults = BridgeConfig.from(TestApp.shared().app().config());
    assertThat(defaults.enabled()).isFalse();
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.inbound()).isEmpty();
    assertThat(defaults.outbound()).containsExactly(UsageEvent.ADDRESS);
  }

  @Test
  void secretAddressesCannotBePermitted() {
    for (String[] bad : new String[][] {{"inbound", "forge.vault"}, {"outbound", "forge.auth.key-revoked"},
      {"outbound", "__vertx.reply.1"}, {"inbound", "other.address"}}) {
      JsonObject config = new JsonObject().put("bridge", new JsonObject().put("port", 1).put(bad[0], bad[1]));
      assertThatThrownBy(() -> BridgeConfig.from(config)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad[1]);
    }
    int port = freePort();
    assertThatThrownBy(() -> TestApp.start(TestApp.env("CHRYSALIS_BRIDGE_PORT", String.valueOf(port),
      "CHRYSALIS_BRIDGE_INBOUND", "forge.vault"))).hasMessageContaining("may not cross the bridge");
    // nothing was left listening
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.io.IOException.class);
  }

  private static boolean nodeAvailable() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
