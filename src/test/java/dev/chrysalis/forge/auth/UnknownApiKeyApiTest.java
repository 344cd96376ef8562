package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Well-formed keys that match nothing are remembered for a while (the negative cache), so a
 * flood of random {@code chs_} keys does not reach the database; a created key works at once.
 */
class UnknownApiKeyApiTest {

  @Test
  void anUnknownKeyIs401AgainWithoutTheDatabaseAndACreatedKeyWorksAtOnce() {
    // a long TTL, so the cache cannot expire while a loaded machine runs the test
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_API_KEY_NEGATIVE_CACHE_SECONDS", "600"))) {
      Api api = app.api();
      Users.Registered user = Users.register(api);
      String unknown = ApiKeys.generate();
      for (int i = 0; i < 3; i++) {
        Api.Resp r = api.call("getCurrentUser").bearer(unknown).send().expect(401);
        assertThat(r.error().getString("type")).isEqualTo("authentication_error");
      }

      // break the key lookup: whatever still answers 401 for the known-unknown key answered from memory
      Workspaces.sql(app, "ALTER TABLE api_keys RENAME TO api_keys_away");
      try {
        Api.Resp again = api.call("getCurrentUser").header("x-api-key", unknown).send().expect(401);
        assertThat(again.error().getString("type")).isEqualTo("authentication_error");
        Api.Resp neverSeen = api.call("getCurrentUser").bearer(ApiKeys.generate()).send();
        assertThat(neverSeen.status()).as("a key never seen still goes to the (now broken) database").isGreaterThanOrEqualTo(500);
      } finally {
        Workspaces.sql(app, "ALTER TABLE api_keys_away RENAME TO api_keys");
      }

      for (int i = 0; i < 5; i++) {
        String created = Users.apiKey(api, user, "*");
        api.call("getCurrentUser").bearer(created).send().expect(200);
        api.call("getCurrentUser").header("x-api-key", created).send().expect(200);
      }
      api.call("getCurrentUser").bearer(unknown).send().expect(401);
    }
  }
}
