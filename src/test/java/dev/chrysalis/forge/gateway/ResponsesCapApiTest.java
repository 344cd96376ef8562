package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** CHRYSALIS_RESPONSES_MAX_PER_USER: storing one more response drops the user's oldest, never another user's. */
class ResponsesCapApiTest {

  @Test
  void aUserKeepsAtMostTheCap() {
    try (GatewayFixture f = new GatewayFixture("CHRYSALIS_RESPONSES_MAX_PER_USER", "2")) {
      dev.chrysalis.forge.testing.Users.Registered other = dev.chrysalis.forge.testing.Users.register(f.api);
      String theirs = f.api.call("createResponse").bearer(other.token())
        .body(new JsonObject().put("model", "gpt-4o").put("input", "Mine")).send().expect(200).json().getString("id");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(f.api.call("createResponse").bearer(f.user.token())
          .body(new JsonObject().put("model", "gpt-4o").put("input", "Message " + i)).send().expect(200).json()
          .getString("id"));
      }
      f.api.call("getResponse").path("response_id", ids.get(0)).bearer(f.user.token()).send().expect(404);
      f.api.call("getResponse").path("response_id", ids.get(1)).bearer(f.user.token()).send().expect(200);
      f.api.call("getResponse").path("response_id", ids.get(2)).bearer(f.user.token()).send().expect(200);
      f.api.call("getResponse").path("response_id", theirs).bearer(other.token()).send().expect(200);
    }
  }
}
