package dev.chrysalis.forge.testing;

import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Builds organizations, threads and projects on a test app, and looks at what is stored. */
public final class Workspaces {

  /** Every workspace table a failed request must leave untouched (the audit log fills asynchronously). */
  public static final String[] TABLES = {"organizations", "org_members", "org_invites", "projects", "threads",
    "thread_relations", "thread_contexts", "sessions", "session_messages"};

  private Workspaces() {
  }

  public static String slug() {
    return "org-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static JsonObject org(Api api, Users.Registered owner) {
    return api.call("createOrg").bearer(owner.token())
      .body(new JsonObject().put("name", "Org " + owner.email()).put("slug", slug())).send().expect(201).json();
  }

  /**
   * Adds an existing user to the org with the role the way people do: the admin invites, the user
   * verifies the address if needed, and accepts with the secret from the invite mail.
   */
  public static void join(TestApp app, Users.Registered admin, String orgId, Users.Registered user, String role) {
    Api api = app.api();
    String inviteId = api.call("inviteOrgMember").bearer(admin.token()).path("id", orgId)
      .body(new JsonObject().put("email", user.email()).put("role", role)).send().expect(201).json().getString("invite_id");
    if (!api.call("getCurrentUser").bearer(user.token()).send().expect(200).json().getBoolean("email_verified")) {
      Users.verify(app, user);
    }
    api.call("acceptInvite").bearer(user.token()).path("id", inviteId)
      .body(new JsonObject().put("token", inviteToken(app, user.email(), inviteId))).send().expect(200);
  }

  /** The secret of this invite, from the newest invite mail to the address that links to it. */
  public static String inviteToken(TestApp app, String email, String inviteId) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      java.util.List<String> mails = DevMailbox.mailsTo(app, email, 1);
      for (int i = mails.size() - 1; i >= 0; i--) {
        if (mails.get(i).contains("/#/invite/" + inviteId + "?token=")) {
          return DevMailbox.token(mails.get(i));
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no invite mail for " + inviteId + " to " + email);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public static JsonObject thread(Api api, Users.Registered user, JsonObject body) {
    return api.call("createThread").bearer(user.token()).body(body).send().expect(201).json();
  }

  public static JsonObject project(Api api, Users.Registered user, JsonObject body) {
    return api.call("createProject").bearer(user.token()).body(body).send().expect(201).json();
  }

  /** A digest of every row of the workspace tables: equal digests mean nothing changed. */
  public static String snapshot(TestApp app) {
    StringBuilder sb = new StringBuilder();
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      for (String table : TABLES) {
        try (ResultSet rs = s.executeQuery("SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM "
          + table + " t")) {
          rs.next();
          sb.append(table).append('=').append(rs.getString(1)).append(';');
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return sb.toString();
  }

  public static void sql(TestApp app, String sql) {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static long count(TestApp app, String sql) {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for something that happens after the response (an event consumer), failing after 10 s. */
  public static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
