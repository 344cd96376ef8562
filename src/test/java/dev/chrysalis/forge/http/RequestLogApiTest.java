package dev.chrysalis.forge.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** One access line per request, naming the route template and user, never credentials or bodies. */
class RequestLogApiTest {

  @Test
  void accessLinesCarryRouteStatusIdAndUserButNoSecrets() throws Exception {
    Api api = TestApp.shared().api();
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try {
      Users.Registered u = Users.register(api);
      String key = Users.apiKey(api, u, "*");
      Api.Resp me = api.call("getCurrentUser").query("api_key", key).send().expect(200);
      api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", "wrong password value"))
        .send().expect(401);
      Thread.sleep(100);
      List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
      String all = String.join("\n", lines);
      assertThat(all).doesNotContain(key).doesNotContain(key.substring(4, 20)).doesNotContain(u.token())
        .doesNotContain(Users.PASSWORD).doesNotContain("wrong password value");
      assertThat(lines).anyMatch(l -> l.startsWith("GET /users/me 200 ") && l.contains("id=" + me.header("x-request-id"))
        && l.contains("user=" + u.id()));
      assertThat(lines).anyMatch(l -> l.startsWith("POST /auth/login 401 "));
    } finally {
      root.detachAppender(captured);
    }
  }
}
