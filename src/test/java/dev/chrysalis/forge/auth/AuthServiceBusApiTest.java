package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AuthService through its proxy, as the HTTP layer and other services call it: the messages and
 * failures docs/event-bus.md lists for {@code forge.auth}.
 */
@ExtendWith(VertxExtension.class)
class AuthServiceBusApiTest {

  private final TestApp app = TestApp.shared();
  private final AuthService auth = AuthService.createProxy(app.vertx());

  @Test
  void accountAndApiKeyLifecycleOverTheBus(VertxTestContext ctx) throws Throwable {
    String email = Users.uniqueEmail();
    JsonObject[] user = new JsonObject[1];
    JsonObject[] key = new JsonObject[1];
    auth.register(new JsonObject().put("email", email).put("password", Users.PASSWORD).put("display_name", "Bus"))
      .compose(registered -> {
        user[0] = registered;
        ctx.verify(() -> {
          assertThat(registered.getString("id")).startsWith("usr_");
          assertThat(registered.getString("email")).isEqualTo(email);
          assertThat(registered.getString("token")).isNotBlank();
        });
        return Future.all(auth.getUser(registered.getString("id")), auth.findUserByEmail(email));
      })
      .compose(found -> {
        ctx.verify(() -> {
          JsonObject byId = found.resultAt(0);
          assertThat(byId.getString("email")).isEqualTo(email);
          assertThat(byId.getString("display_name")).isEqualTo("Bus");
          assertThat(byId.getBoolean("email_verified")).isFalse();
          assertThat(found.<JsonObject>resultAt(1).getString("id")).isEqualTo(user[0].getString("id"));
        });
        // a session creates it: the HTTP layer passes the caller's scopes, a session's are *
        return auth.createApiKey(user[0].getString("id"), new JsonObject().put("name", "bus key")
          .put("scopes", new JsonArray().add("read")).put("caller_scopes", new JsonArray().add("*")));
      })
      .compose(created -> {
        key[0] = created;
        ctx.verify(() -> assertThat(created.getString("key")).startsWith("chs_"));
        return auth.authenticateApiKey(created.getString("key"));
      })
      .compose(principal -> {
        ctx.verify(() -> {
          assertThat(principal.getString("user_id")).isEqualTo(user[0].getString("id"));
          assertThat(principal.getString("via")).isEqualTo("api_key");
          assertThat(principal.getString("key_id")).isEqualTo(key[0].getString("id"));
          assertThat(principal.getJsonArray("scopes")).containsExactly("read");
        });
        return auth.listApiKeys(user[0].getString("id"), new JsonObject());
      })
      .compose(list -> {
        ctx.verify(() -> {
          assertThat(list.getJsonArray("data")).hasSize(1);
          assertThat(list.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(key[0].getString("id"));
          assertThat(list.encode()).as("a key is shown once").doesNotContain(key[0].getString("key"));
        });
        return auth.deleteApiKey(user[0].getString("id"), key[0].getString("id"), new JsonObject());
      })
      .compose(deleted -> {
        ctx.verify(() -> assertThat(deleted.getBoolean("deleted")).isTrue());
        return BusFlow.refused(auth.authenticateApiKey(key[0].getString("key")), 401, "invalid_api_key");
      })
      .onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);
  }

  @Test
  void refusalsOverTheBusCarryTheStatusAndCode(VertxTestContext ctx) throws Throwable {
    Users.Registered someone = Users.register(app.api());
    Users.Registered other = Users.register(app.api());
    String keyOfOther = Users.apiKey(app.api(), other, "read");
    auth.authenticateApiKey(keyOfOther).compose(otherKey -> Future.all(List.of(
        BusFlow.refused(auth.register(new JsonObject().put("email", someone.email()).put("password", Users.PASSWORD)),
          409, "email_taken"),
        BusFlow.refused(auth.register(new JsonObject().put("email", Users.uniqueEmail()).put("password", "short")),
          400, "weak_password"),
        BusFlow.refused(auth.login(new JsonObject().put("email", someone.email()).put("password", "not the password")),
          401, "invalid_credentials"),
        BusFlow.refused(auth.getUser("usr_nobody_here"), 404, "not_found"),
        BusFlow.refused(auth.findUserByEmail(Users.uniqueEmail()), 404, "not_found"),
        BusFlow.refused(auth.authenticateApiKey("chs_not_a_real_key"), 401, "invalid_api_key"),
        BusFlow.refused(auth.requireOperator(someone.id()), 403, "admin_only"),
        BusFlow.refused(auth.createApiKey(someone.id(), new JsonObject().put("scopes", new JsonArray().add("root"))
          .put("caller_scopes", new JsonArray().add("*"))), 400, "invalid_scope"),
        BusFlow.refused(auth.createApiKey(someone.id(), new JsonObject().put("scopes", new JsonArray().add("write"))
          .put("caller_scopes", new JsonArray().add("read"))), 403, "scope_escalation"),
        // a caller that does not say what it may do may do nothing
        BusFlow.refused(auth.createApiKey(someone.id(), new JsonObject().put("scopes", new JsonArray().add("read"))),
          403, "scope_escalation"),
        BusFlow.refused(auth.listApiKeys(someone.id(), new JsonObject().put("limit", 0)), 400, "invalid_limit"),
        // another user's key is not found for this user, and stays usable
        BusFlow.refused(auth.deleteApiKey(someone.id(), otherKey.getString("key_id"), new JsonObject()), 404, "not_found"))))
      .compose(refusals -> auth.authenticateApiKey(keyOfOther))
      .onComplete(ctx.succeeding(principal -> ctx.verify(() -> {
        assertThat(principal.getString("user_id")).isEqualTo(other.id());
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
  }
}
