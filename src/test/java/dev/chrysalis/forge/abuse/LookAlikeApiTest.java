package dev.chrysalis.forge.abuse;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Look-alike accounts and bidi text: every variant of an address that looks the same is the same
 * account or is refused, and names other users see cannot hide characters or reorder text.
 */
class LookAlikeApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private Api.Resp register(String email) {
    return api.call("registerUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD)).send();
  }

  private long accountsLike(String tag) {
    return Workspaces.count(app, "SELECT count(*) FROM users WHERE email LIKE '%" + tag + "%'");
  }

  private static void refused(Api.Resp r, String code, String param) {
    r.expect(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.error().getString("code")).isEqualTo(code);
    assertThat(r.error().getString("param")).isEqualTo(param);
  }

  @Test
  void everyLookAlikeOfAnAddressIsTheSameAccountOrIsRefused() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String carol = "carol" + tag + "@example.com";
    String id = register(carol).expect(201).json().getString("id");

    // the same account: spaces of any kind around it, fullwidth letters, another case
    for (String same : new String[] {carol + "\u00A0", "\u3000" + carol, "\uFF43arol" + tag + "@example.com",
      "CAROL" + tag + "@EXAMPLE.COM", "carol" + tag + "@\uFF45xample.com"}) {
      assertThat(register(same).expect(409).error().getString("code")).isEqualTo("email_taken");
      assertThat(api.call("loginUser").body(new JsonObject().put("email", same).put("password", Users.PASSWORD)).send()
        .expect(200).json().getString("id")).isEqualTo(id);
    }
    // refused: invisible characters, bidi controls, a Cyrillic letter among Latin ones
    for (String bad : new String[] {carol + "\u200B", "car\u200Bol" + tag + "@example.com", "carol" + tag + "\u202E@example.com",
      "c\u0430rol" + tag + "@example.com", "carol" + tag + "@ex\u0430mple.com", "carol" + tag + "\u2060@example.com",
      "ca\u00ADrol" + tag + "@example.com"}) {
      refused(register(bad), "invalid_email", "email");
      refused(api.call("loginUser").body(new JsonObject().put("email", bad).put("password", Users.PASSWORD)).send(),
        "invalid_email", "email");
      refused(api.call("forgotPassword").body(new JsonObject().put("email", bad)).send(), "invalid_email", "email");
    }
    assertThat(accountsLike(tag)).isEqualTo(1);

    // NFD and NFC spellings of one name are one account
    String composed = "car\u00F3l" + tag + "@example.com";
    register(composed).expect(201);
    assertThat(register("caro\u0301l" + tag + "@example.com").expect(409).error().getString("code")).isEqualTo("email_taken");
    assertThat(accountsLike(tag)).isEqualTo(2);
    // a whole address in one other script is an address like any other
    register("\u043A\u0430\u0440\u043E\u043B\u044C" + System.nanoTime() + "@example.com").expect(201);
  }

  @Test
  void namesOthersSeeRefuseInvisibleAndBidiCharacters() {
    Users.Registered u = Users.register(api);
    String orgId = Workspaces.org(api, u).getString("id");
    String threadId = Workspaces.thread(api, u, new JsonObject().put("title", "plain")).getString("id");
    String before = Workspaces.snapshot(app);
    long keys = Workspaces.count(app, "SELECT count(*) FROM api_keys WHERE user_id = '" + u.id() + "'");

    String[] hidden = {"Acme \u202Eevil\u202C Corp", "Ac\u200Bme", "Acme\u00A0Corp", "\u2066Acme\u2069", "Acme\uFEFF Corp",
      "Ac\u200Dme", "\u3164", "Acme\u061C"};
    for (String name : hidden) {
      JsonObject org = new JsonObject().put("name", name).put("slug", Workspaces.slug());
      refused(api.call("createOrg").bearer(u.token()).body(org).send(), "hidden_characters", "name");
      refused(api.call("updateOrg").bearer(u.token()).path("id", orgId).body(new JsonObject().put("name", name)).send(),
        "hidden_characters", "name");
      refused(api.call("createProject").bearer(u.token()).body(new JsonObject().put("name", name)).send(),
        "hidden_characters", "name");
      refused(api.call("createThread").bearer(u.token()).body(new JsonObject().put("title", name)).send(),
        "hidden_characters", "title");
      refused(api.call("updateThread").bearer(u.token()).path("id", threadId).body(new JsonObject().put("title", name)).send(),
        "hidden_characters", "title");
      refused(api.call("createSession").bearer(u.token()).body(new JsonObject().put("title", name)).send(),
        "hidden_characters", "title");
      refused(api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", name)).send(),
        "hidden_characters", "name");
      refused(api.call("registerUser").body(new JsonObject().put("email", Users.uniqueEmail()).put("password", Users.PASSWORD)
        .put("display_name", name)).send(), "hidden_characters", "display_name");
    }
    refused(api.call("inviteOrgMember").bearer(u.token()).path("id", orgId)
      .body(new JsonObject().put("email", "bob\u200B@example.com").put("role", "member")).send(), "hidden_characters", "email");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM api_keys WHERE user_id = '" + u.id() + "'")).isEqualTo(keys);

    // names in any script stay welcome, with the joiners the script needs; outer spaces of any kind are trimmed
    for (String fine : new String[] {"Café Ünïcode", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "\uD83D\uDC69\u200D\uD83D\uDCBB team",
      "\u0915\u094D\u200D\u0937 Labs", "Acme\u00A0"}) {
      JsonObject org = api.call("createOrg").bearer(u.token()).body(new JsonObject().put("name", fine).put("slug", Workspaces.slug()))
        .send().expect(201).json();
      assertThat(org.getString("name")).isEqualTo(fine.equals("Acme\u00A0") ? "Acme" : fine);
    }
  }
}
