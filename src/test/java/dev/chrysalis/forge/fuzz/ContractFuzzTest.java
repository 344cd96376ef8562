package dev.chrysalis.forge.fuzz;

import dev.chrysalis.forge.billing.FakeAutumn;
import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.DevMailbox;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract-driven fuzzer: for every operation of openapi/forge.yaml it sends requests without
 * auth, with another user's auth, without a body, with malformed JSON, with each required field
 * removed, and with each field replaced by a wrong type, null, an over-long string, NUL and
 * control characters, unicode edge cases (emoji, RTL marks, combining marks, unpaired surrogates
 * as JSON escapes), huge and negative numbers, bad enum values, malformed and unknown ids; bad
 * path and query values; then valid requests generated from the schemas (chat included, against
 * the fake providers; checkout and the billing portal against a second service billing through a
 * fake Autumn). Every answer: no 5xx, a status the operation lists, our error shape on 4xx, a body
 * valid against the contract on 2xx, and no change in the database after a refusal.
 * <p>
 * Seeded: {@code -Dfuzz.seed=N} or {@code FUZZ_SEED}; the seed is printed with any
 * failure. Bounded: {@code -Dfuzz.budget.seconds} (default 40); when the budget runs out
 * the remaining mutations are skipped, but every operation gets its first cases.
 */
class ContractFuzzTest {

  private static final String NUL = "a\u0000b";
  /** Time the valid requests get after the mutation budget, so every operation sees some. */
  private static final long VALID_GRACE_MS = 15_000;
  private static final String SURROGATE_MARK = "__UNPAIRED_SURROGATE__";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final List<String> findings = new ArrayList<>();
  private final Map<String, Integer> perOperation = new LinkedHashMap<>();
  private long answerNanos;
  private long settleNanos;
  /** operationId → status → count, printed at the end so a run shows what it reached. */
  private final Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
  /** operationId → the first refusal of a generated valid request, to show why (often: state the fuzzer cannot make). */
  private final Map<String, String> validMisses = new TreeMap<>();
  private Random random;
  private long seed;
  private SchemaValues values;
  private JsonObject contract;
  private RawHttp raw;
  private String base;
  private DbDigest digest;
  private Map<String, String> lastDigest;
  private final Map<String, String> fixtures = new HashMap<>();
  private Map<String, JsonObject> operations;
  private String tokenA;
  private String tokenB;
  /** User H, verified, is invited to user A's org: acceptInvite's caller. */
  private String tokenH;
  /** User F never verifies its address: resendVerification's caller. */
  private String tokenF;
  /** User C: logout ends every session of its user, so each logout case signs C in afresh. */
  private String emailC;
  private String emailD;
  /** operationId → a token the service mailed, for the valid body of operations that need one. */
  private final Map<String, String> mailedTokens = new HashMap<>();
  private static final String FRESH_SESSION_OF_C = "<fresh session of user C>";
  /** User G: changePassword ends its sessions and may change its password, which the fuzzer follows. */
  private String emailG;
  private String passwordG = Users.PASSWORD;
  private static final String FRESH_SESSION_OF_G = "<fresh session of user G>";

  /** One request the fuzzer sends; with raw headers it goes over {@link RawHttp}, byte for byte. */
  private record Case(String op, String label, String method, String path, Map<String, String> query, String auth,
                      String body, List<Map.Entry<String, byte[]>> rawHeaders) {

    Case(String op, String label, String method, String path, Map<String, String> query, String auth, String body) {
      this(op, label, method, path, query, auth, body, null);
    }
  }

  /** An answer, from either client. */
  private record Answer(int status, Map<String, String> headers, byte[] body) {
  }

  /**
   * Operations that only answer 2xx when online billing is configured: fuzzed against a second
   * service that bills through a fake Autumn (on the first they could only answer 501).
   */
  private static final Set<String> AUTUMN_OPERATIONS = Set.of("createCheckout", "openBillingPortal");

  @Test
  void everyOperationAnswersEveryInputWithinTheContract() throws Exception {
    seed = seed();
    random = new Random(seed);
    long budgetMs = budgetSeconds() * 1000;
    contract = Contract.document();
    values = new SchemaValues(contract, random);
    try (FakeProviders fake = new FakeProviders(); FakeAutumn autumn = new FakeAutumn()) {
      Map<String, String> providers = TestApp.env(
        "OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
        "ANTHROPIC_API_BASE", fake.base(), "ANTHROPIC_API_KEY", FakeProviders.ANTHROPIC_KEY,
        "CHRYSALIS_LIVE_MODELS", "openai");
      fuzz(providers, op -> !AUTUMN_OPERATIONS.contains(op), budgetMs);
      Map<String, String> billed = new HashMap<>(providers);
      billed.putAll(TestApp.env("AUTUMN_SECRET_KEY", FakeAutumn.SECRET, "AUTUMN_API_BASE", autumn.baseUrl()));
      fuzz(billed, AUTUMN_OPERATIONS::contains, Math.max(5_000, budgetMs / 8));
    }
    Set<String> untouched = new TreeSet<>(operations().keySet());
    untouched.removeAll(perOperation.keySet());
    assertThat(untouched).as("operations never fuzzed (seed " + seed + ")").isEmpty();
    int total = perOperation.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("contract fuzzer: seed " + seed + ", " + total + " requests to " + perOperation.size()
      + " operations; statuses per operation " + statuses);
    Set<String> never2xx = new TreeSet<>(operations().keySet());
    statuses.forEach((op, counts) -> {
      if (counts.keySet().stream().anyMatch(st -> st / 100 == 2)) {
        never2xx.remove(op);
      }
    });
    validMisses.forEach((op, why) -> System.out.println("contract fuzzer: a valid request to " + op + " was refused: " + why));
    // an operation no valid request reached has had its refusals fuzzed but not its 2xx contract
    never2xx.forEach(op -> findings.add(op + ": no request got a 2xx, so its success answer went unchecked ("
      + validMisses.getOrDefault(op, "no valid request sent") + ")"));
    if (!findings.isEmpty()) {
      StringBuilder b = new StringBuilder("contract fuzzer found " + findings.size() + " problems; rerun with"
        + " ./scripts/test -Dtest=ContractFuzzTest -Dfuzz.seed=" + seed + " (or FUZZ_SEED=" + seed + ")\n");
      findings.stream().limit(40).forEach(f -> b.append(" - ").append(f).append('\n'));
      throw new AssertionError(b.toString());
    }
  }

  /** Starts a service on {@code env}, makes the fixtures, and fuzzes the operations {@code which} accepts. */
  private void fuzz(Map<String, String> env, Predicate<String> which, long budgetMs) throws Exception {
    String emailA = Users.uniqueEmail();
    Map<String, String> all = new HashMap<>(env);
    all.putAll(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise", "CHRYSALIS_ADMIN_EMAILS", emailA,
      "CHRYSALIS_MAIL_RESEND_SECONDS", "0"));
    try (TestApp app = TestApp.start(all)) {
      base = app.api().baseUrl();
      raw = new RawHttp(base);
      fixtures.clear();
      mailedTokens.clear();
      passwordG = Users.PASSWORD;
      lastDigest = null;
      try (Connection db = TestDatabase.connect(app.databaseUrl())) {
        digest = new DbDigest(db);
        fixtures(app, emailA);
        // the budget counts from the first fuzzed request: the app start and fixtures are not fuzzing
        long deadline = System.currentTimeMillis() + budgetMs;
        // each operation: its valid requests first (deletions aside: they take fixtures away and go
        // last), then its mutations in a seeded order
        List<List<Case>> byOperation = new ArrayList<>();
        List<Case> deletions = new ArrayList<>();
        for (Map.Entry<String, JsonObject> op : operations().entrySet()) {
          if (!which.test(op.getKey())) {
            continue;
          }
          List<Case> cases = invalidCases(op.getKey(), op.getValue());
          Collections.shuffle(cases, random);
          List<Case> valid = validCases(op.getKey(), op.getValue());
          if ("DELETE".equals(op.getValue().getString("method"))) {
            deletions.addAll(valid);
          } else {
            cases.addAll(0, valid);
          }
          byOperation.add(cases);
        }
        // round-robin, so a budget that runs out still leaves every operation fuzzed
        int round = 0;
        boolean any = true;
        while (any && System.currentTimeMillis() < deadline) {
          any = false;
          for (List<Case> cases : byOperation) {
            if (round < cases.size()) {
              any = true;
              send(cases.get(round));
            }
          }
          round++;
        }
        System.out.println("contract fuzzer: " + digest.cost() + "; waiting for answers " + answerNanos / 1_000_000
          + " ms, for the database to settle " + settleNanos / 1_000_000 + " ms");
        int rounds = byOperation.stream().mapToInt(List::size).max().orElse(0);
        System.out.println("contract fuzzer: " + (round >= rounds ? "all " + rounds + " rounds sent"
          : "budget spent after round " + round + " of " + rounds + " (every operation got its first " + round + " cases)"));
        for (Case c : deletions) {
          if (System.currentTimeMillis() > deadline + VALID_GRACE_MS) {
            break;
          }
          send(c);
        }
      }
    }
  }

  // ---- fixtures: user A (a verified operator) owns one of everything, so ids in paths are real;
  // user B is "another user"; user C is the one logout cases sign out; user D the one operator
  // cases change ----

  private void fixtures(TestApp app, String emailA) throws Exception {
    JsonObject a = call("POST", "/auth/register", null, new JsonObject().put("email", emailA).put("password", Users.PASSWORD));
    tokenA = a.getString("token");
    fixtures.put("user_a", a.getString("id"));
    Users.verify(app, new Users.Registered(a.getString("id"), emailA, tokenA));
    String emailB = Users.uniqueEmail();
    JsonObject b = call("POST", "/auth/register", null, new JsonObject().put("email", emailB)
      .put("password", Users.PASSWORD));
    tokenB = b.getString("token");
    fixtures.put("user_b", b.getString("id"));
    Users.verify(app, new Users.Registered(b.getString("id"), emailB, tokenB));
    emailC = Users.uniqueEmail();
    call("POST", "/auth/register", null, new JsonObject().put("email", emailC).put("password", Users.PASSWORD));
    emailG = Users.uniqueEmail();
    call("POST", "/auth/register", null, new JsonObject().put("email", emailG).put("password", passwordG));
    emailD = Users.uniqueEmail();
    fixtures.put("user_d", id(call("POST", "/auth/register", null, new JsonObject().put("email", emailD)
      .put("password", Users.PASSWORD))));
    fixtures.put("org", id(call("POST", "/orgs", tokenA, new JsonObject().put("name", "Fuzz org")
      .put("slug", "fuzz-" + UUID.randomUUID().toString().substring(0, 8)))));
    fixtures.put("project", id(call("POST", "/v1/projects", tokenA, new JsonObject().put("name", "Fuzz project"))));
    fixtures.put("thread", id(call("POST", "/v1/threads", tokenA, new JsonObject().put("title", "Fuzz thread"))));
    fixtures.put("session", id(call("POST", "/v1/sessions", tokenA, new JsonObject())));
    fixtures.put("api_key", id(call("POST", "/api-keys", tokenA, new JsonObject().put("name", "fuzz"))));
    // H (verified) holds the invite acceptInvite takes, with the secret from its mail
    String emailH = Users.uniqueEmail();
    JsonObject h = call("POST", "/auth/register", null, new JsonObject().put("email", emailH).put("password", Users.PASSWORD));
    tokenH = h.getString("token");
    Users.verify(app, new Users.Registered(h.getString("id"), emailH, tokenH));
    fixtures.put("invite", id(call("POST", "/orgs/" + fixtures.get("org") + "/invite", tokenA,
      new JsonObject().put("email", emailH).put("role", "member"))));
    mailedTokens.put("acceptInvite", DevMailbox.latestToken(app, emailH, "Invitation to join"));
    // F stays unverified: resendVerification has a mail to send
    JsonObject f = call("POST", "/auth/register", null, new JsonObject().put("email", Users.uniqueEmail())
      .put("password", Users.PASSWORD));
    tokenF = f.getString("token");
    // B is a member of both orgs: member operations have someone to change or remove
    join(app, fixtures.get("org"), emailB);
    fixtures.put("thread2", id(call("POST", "/v1/threads", tokenA, new JsonObject().put("title", "Fuzz thread 2"))));
    call("POST", "/provider-keys", tokenA, new JsonObject().put("provider", "openai").put("api_key", FakeProviders.OPENAI_KEY));
    // what DELETE operations take away: their own, so a harmless mutation that deletes leaves the rest
    fixtures.put("org_doomed", id(call("POST", "/orgs", tokenA, new JsonObject().put("name", "Fuzz org to delete")
      .put("slug", "fuzz-" + UUID.randomUUID().toString().substring(0, 8)))));
    fixtures.put("org_gone", id(call("POST", "/orgs", tokenA, new JsonObject().put("name", "Fuzz org deleted whole")
      .put("slug", "fuzz-" + UUID.randomUUID().toString().substring(0, 8)))));
    join(app, fixtures.get("org_doomed"), emailB);
    call("POST", "/provider-keys", tokenA, new JsonObject().put("provider", "anthropic")
      .put("api_key", FakeProviders.ANTHROPIC_KEY));
    fixtures.put("invite_doomed", id(call("POST", "/orgs/" + fixtures.get("org_doomed") + "/invite", tokenA,
      new JsonObject().put("email", Users.uniqueEmail()).put("role", "member"))));
    JsonObject response = new JsonObject().put("model", "gpt-4o-mini").put("input", "Say hi");
    fixtures.put("response", id(call("POST", "/v1/responses", tokenA, response)));
    fixtures.put("response_doomed", id(call("POST", "/v1/responses", tokenA, response)));
    fixtures.put("api_key_doomed", id(call("POST", "/api-keys", tokenA, new JsonObject().put("name", "fuzz doomed"))));
    // a mailed email-verification token, and a mailed password-reset token of user D
    String emailE = Users.uniqueEmail();
    call("POST", "/auth/register", null, new JsonObject().put("email", emailE).put("password", Users.PASSWORD));
    mailedTokens.put("verifyEmail", DevMailbox.latestToken(app, emailE, "Confirm your email"));
    call("POST", "/auth/password/forgot", null, new JsonObject().put("email", emailD));
    mailedTokens.put("resetPassword", DevMailbox.latestToken(app, emailD, "Reset"));
  }

  /** User A invites user B to the org and B accepts with the secret from the mail. */
  private void join(TestApp app, String org, String emailB) throws Exception {
    List<String> before = DevMailbox.mailsTo(app, emailB, 0);
    String invite = id(call("POST", "/orgs/" + org + "/invite", tokenA, new JsonObject().put("email", emailB)
      .put("role", "member")));
    // the mail is written after the answer: wait for this invite's, not an earlier one's
    String mail = DevMailbox.mailsTo(app, emailB, before.size() + 1).stream().filter(m -> !before.contains(m))
      .findFirst().orElseThrow(() -> new AssertionError("no invite mail to " + emailB));
    String secret = DevMailbox.token(mail);
    call("POST", "/invites/" + invite + "/accept", tokenB, new JsonObject().put("token", secret));
  }

  private static String id(JsonObject created) {
    if (created == null) {
      return "zz_missing_fixture";
    }
    String id = created.getString("id", created.getString("invite_id"));
    return id == null ? "zz_missing_fixture" : id;
  }

  private JsonObject call(String method, String path, String token, JsonObject body) throws Exception {
    HttpResponse<byte[]> r = http(method, path, Map.of(), token, body == null ? null : body.encode());
    if (r.statusCode() / 100 != 2) {
      System.out.println("contract fuzzer: fixture " + method + " " + path + " answered " + r.statusCode() + " "
        + new String(r.body(), StandardCharsets.UTF_8));
      return null;
    }
    return new JsonObject(Buffer.buffer(r.body()));
  }

  // ---- the contract ----

  /** operationId → {method, path, op (raw)} in contract order. */
  private Map<String, JsonObject> operations() {
    if (operations != null) {
      return operations;
    }
    Map<String, JsonObject> out = new LinkedHashMap<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) {
        continue;
      }
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        if (item.getValue(method) instanceof JsonObject op) {
          JsonArray params = new JsonArray();
          item.getJsonArray("parameters", new JsonArray()).forEach(params::add);
          op.getJsonArray("parameters", new JsonArray()).forEach(params::add);
          out.put(op.getString("operationId"), new JsonObject().put("method", method.toUpperCase()).put("path", path)
            .put("op", op).put("params", params));
        }
      }
    }
    operations = out;
    return out;
  }

  private List<JsonObject> params(JsonObject op, String in) {
    List<JsonObject> out = new ArrayList<>();
    for (Object p : op.getJsonArray("params")) {
      JsonObject param = values.resolve(p);
      if (in.equals(param.getString("in"))) {
        out.add(param);
      }
    }
    return out;
  }

  private static boolean secured(JsonObject op) {
    JsonArray security = op.getJsonObject("op").getJsonArray("security");
    return security == null || !security.isEmpty();
  }

  /** The JSON body schema, or null when the operation takes no body. */
  private JsonObject bodySchema(JsonObject op) {
    JsonObject rb = op.getJsonObject("op").getJsonObject("requestBody");
    if (rb == null) {
      return null;
    }
    JsonObject content = values.resolve(rb).getJsonObject("content", new JsonObject());
    JsonObject media = content.getJsonObject("application/json");
    return media == null ? null : values.resolve(media.getValue("schema"));
  }

  private boolean bodyRequired(JsonObject op) {
    JsonObject rb = op.getJsonObject("op").getJsonObject("requestBody");
    return rb != null && values.resolve(rb).getBoolean("required", false);
  }

  /** The path of user A's own object for each path parameter. */
  private String realPath(String path, String method) {
    if ("DELETE".equals(method)) {
      String doomed = path.replace("{invite_id}", fixtures.get("invite_doomed"));
      if (doomed.equals("/orgs/{id}")) {
        return doomed.replace("{id}", fixtures.get("org_gone"));
      }
      if (doomed.startsWith("/orgs/")) {
        return realPath(doomed.replace("{id}", fixtures.get("org_doomed")), "GET");
      }
      if (doomed.startsWith("/api-keys/")) {
        return doomed.replace("{id}", fixtures.get("api_key_doomed"));
      }
      if (doomed.startsWith("/v1/responses/")) {
        return doomed.replace("{response_id}", fixtures.get("response_doomed"));
      }
      path = doomed.replace("{provider}", "anthropic");
    }
    String p = path;
    p = p.replace("{user_id}", fixtures.get("user_b")).replace("{invite_id}", fixtures.get("invite"))
      .replace("{provider}", "openai").replace("{model_name}", "gpt-4o-mini")
      .replace("{response_id}", "{id}");
    String id;
    if (p.startsWith("/orgs/") || p.startsWith("/admin/orgs/")) {
      id = fixtures.get("org");
    } else if (p.startsWith("/invites/")) {
      id = fixtures.get("invite");
    } else if (p.startsWith("/v1/sessions/")) {
      id = fixtures.get("session");
    } else if (p.startsWith("/v1/threads/")) {
      id = fixtures.get("thread");
    } else if (p.startsWith("/v1/projects/")) {
      id = fixtures.get("project");
    } else if (p.startsWith("/v1/responses/")) {
      id = fixtures.get("response");
    } else if (p.startsWith("/api-keys/")) {
      id = fixtures.get("api_key");
    } else if (p.startsWith("/admin/users/")) {
      id = fixtures.get("user_d");
    } else if (p.startsWith("/v1/models/")) {
      id = "gpt-4o-mini";
    } else {
      id = "zz_unknown_0000";
    }
    return p.replace("{id}", id);
  }

  /** Body fields and query parameters that name one of user A's objects → the fixture holding its id. */
  private static final Map<String, String> FIXTURE_OF_FIELD = Map.of("org_id", "org", "project_id", "project",
    "thread_id", "thread", "session_id", "session", "parent_thread_id", "thread", "to_thread_id", "thread2",
    "target_id", "thread", "continues_from", "thread2");

  /** A valid body for the operation, with the fixtures' ids where a field names one. */
  private JsonObject validBody(String opId, JsonObject schema) {
    Object v = values.valid(schema, 0);
    JsonObject body = v instanceof JsonObject j ? j : new JsonObject();
    for (String f : new ArrayList<>(body.fieldNames())) {
      String fixture = FIXTURE_OF_FIELD.get(f);
      if (fixture != null && fixtures.containsKey(fixture)) {
        body.put(f, fixtures.get(fixture));
      }
    }
    // context ids of nothing, and user-chosen upstream numbers past the plan's caps, are refused by design
    body.remove("parent_id");
    body.remove("previous_response_id");
    body.remove("n");
    if (body.containsKey("plan_id")) {
      // the fixture org keeps a plan with organizations and shared threads, so org cases reach deep
      List<String> plans = opId.equals("setOrgPlan") ? List.of("team", "enterprise") : List.of("free", "pro", "team", "enterprise");
      body.put("plan_id", plans.get(random.nextInt(plans.size())));
    }
    if (body.containsKey("password")) {
      body.put("password", Users.PASSWORD);
    }
    if (body.containsKey("new_password")) {
      body.put("new_password", Users.PASSWORD + " " + random.nextInt(1000));
    }
    if (body.containsKey("api_key") && body.containsKey("provider")) {
      // not openai: user A's openai key is the one the fake provider accepts, which chat cases use
      body.put("provider", "mistral").put("api_key", "fuzz" + UUID.randomUUID().toString().replace("-", ""));
      body.remove("base_url");
      body.remove("validate");
    }
    if (mailedTokens.containsKey(opId) && body.containsKey("token")) {
      body.put("token", mailedTokens.get(opId));
    }
    if (body.containsKey("model")) {
      body.put("model", "gpt-4o-mini");
    }
    if (body.containsKey("stream")) {
      body.put("stream", false);
    }
    if (body.containsKey("email")) {
      body.put("email", opId.equals("loginUser") ? emailC : Users.uniqueEmail());
    }
    if (opId.equals("createEmbedding")) {
      body.put("model", "text-embedding-3-small");
    }
    if (opId.equals("createChatCompletion") || opId.equals("sendThreadMessage") || opId.equals("createResponse")) {
      body.put("model", "gpt-4o-mini");
      // ids of nothing, and tool and format declarations generated at random, are refused by design;
      // the mutations cover those fields
      for (String f : List.of("context_node_id", "tools", "tool_choice", "parallel_tool_calls", "response_format",
        "org_id", "stream_options")) {
        body.remove(f);
      }
    }
    if (opId.equals("createResponse")) {
      // input items generated at random can be refused by design (an image in an assistant message)
      body.put("input", "Say hi");
    }
    if (opId.equals("createChatCompletion")) {
      JsonArray messages = new JsonArray();
      if (random.nextBoolean()) {
        messages.add(new JsonObject().put("role", "system").put("content", "Be brief."));
      }
      body.put("messages", messages.add(new JsonObject().put("role", "user").put("content", "Say hi \uD83D\uDE00")));
    }
    return body;
  }

  // ---- cases ----

  /** User A's session, except for logout, which would end it: there a fresh session of user C. */
  private String own(String opId) {
    return switch (opId) {
      case "logoutUser" -> FRESH_SESSION_OF_C;
      case "changePassword" -> FRESH_SESSION_OF_G;
      case "acceptInvite" -> tokenH;
      case "resendVerification" -> tokenF;
      default -> tokenA;
    };
  }

  /**
   * The caller of an operation's "another user's auth" case: user B, except for the operations that
   * end sessions, which keep their own fresh one (B signed out would leave later cases without
   * another user).
   */
  private String anotherUser(String opId) {
    String own = own(opId);
    return own.equals(FRESH_SESSION_OF_C) || own.equals(FRESH_SESSION_OF_G) ? own : tokenB;
  }

  private List<Case> invalidCases(String opId, JsonObject op) {
    List<Case> out = new ArrayList<>();
    String method = op.getString("method");
    String path = realPath(op.getString("path"), op.getString("method"));
    JsonObject schema = bodySchema(op);
    String valid = schema == null ? null : validBody(opId, schema).encode();
    Map<String, String> noQuery = Map.of();
    String auth = secured(op) ? own(opId) : null;
    if (secured(op)) {
      out.add(new Case(opId, "no auth", method, path, noQuery, null, valid));
      out.add(new Case(opId, "malformed token", method, path, noQuery, "not-a-token", valid));
      // user A's ids (path and body) with user B's credentials
      out.add(new Case(opId, "another user's auth", method, path, noQuery, anotherUser(opId), valid));
      out.add(new Case(opId, "x-api-key with NUL", method, path, noQuery, null, valid,
        List.of(Map.entry("x-api-key", "chs_a\u0000b".getBytes(StandardCharsets.UTF_8)))));
    }
    for (Map.Entry<String, byte[]> h : badHeaders(op).entrySet()) {
      String name = h.getKey().substring(0, h.getKey().indexOf(' '));
      out.add(new Case(opId, "header " + h.getKey(), method, path, noQuery, auth, valid,
        List.of(Map.entry(name, h.getValue()))));
    }
    if (schema != null) {
      if (bodyRequired(op)) {
        out.add(new Case(opId, "missing body", method, path, noQuery, own(opId), null));
      }
      out.add(new Case(opId, "malformed JSON", method, path, noQuery, own(opId), "{\"a\": [1, 2"));
      out.add(new Case(opId, "JSON array body", method, path, noQuery, own(opId), "[]"));
      out.add(new Case(opId, "JSON string body", method, path, noQuery, own(opId), "\"x\""));
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      for (Object r : schema.getJsonArray("required", new JsonArray())) {
        JsonObject b = new JsonObject(valid);
        b.remove((String) r);
        out.add(new Case(opId, "required " + r + " removed", method, path, noQuery, own(opId), b.encode()));
      }
      for (String field : props.fieldNames()) {
        JsonObject fs = values.resolve(props.getValue(field));
        for (Map.Entry<String, Object> bad : badValues(fs).entrySet()) {
          JsonObject b = new JsonObject(valid);
          b.put(field, bad.getValue());
          out.add(new Case(opId, field + ": " + bad.getKey(), method, path, noQuery, own(opId), withSurrogates(b)));
        }
        nestedCases(opId, method, path, new JsonObject(valid), field, fs, out);
      }
    }
    for (JsonObject q : params(op, "query")) {
      JsonObject qs = values.resolve(q.getValue("schema"));
      for (Map.Entry<String, Object> bad : badValues(qs).entrySet()) {
        Object v = bad.getValue();
        if (v instanceof String str && str.length() > 2_000) {
          // a request line beyond the HTTP server's limit (4 KB) is refused by the codec with a
          // bare 414 before any handler runs; over-long values are tested within it
          v = str.substring(0, Math.max(qs.getInteger("maxLength", 1_000) + 1, 2) );
          if (((String) v).length() > 2_000) {
            continue;
          }
        }
        if (v == null || v instanceof JsonObject || v instanceof JsonArray) {
          continue;
        }
        String text = SURROGATE_MARK.equals(v) ? "%ED%A0%80" : null;
        Map<String, String> query = new LinkedHashMap<>();
        query.put(q.getString("name"), text != null ? text : enc(String.valueOf(v)));
        out.add(new Case(opId, "query " + q.getString("name") + ": " + bad.getKey(), method, path, query, own(opId), valid));
      }
    }
    String template = op.getString("path");
    if (template.contains("{")) {
      for (Map.Entry<String, String> bad : Map.of(
          "malformed id", "bad%20id%21", "unknown id", "zz_unknown_0000", "over-long id", "a".repeat(300),
          "NUL in id", "a%00b", "unpaired surrogate in id", "a%ED%A0%80b", "dot segments", "..%2F..%2Fx",
          "emoji id", enc("\uD83D\uDE00"), "RTL mark id", enc("\u202Eabc")).entrySet()) {
        String p = template.replaceAll("\\{[^}]+}", bad.getValue());
        out.add(new Case(opId, "path " + bad.getKey(), method, p, noQuery, own(opId), valid));
      }
    }
    return out;
  }

  /** A body's text with the unpaired-surrogate marker written as the JSON escapes a client can send. */
  private static String withSurrogates(JsonObject body) {
    return body.encode().replace("\"" + SURROGATE_MARK + "\"", "\"\\ud800x\\udfff\"");
  }

  /**
   * One level down: each field of an object-valued field, and of the first item of an array of
   * objects (with the item schema the array's description names when the router validates only
   * {@code type: object}, as for chat messages), gets the bad values too.
   */
  private void nestedCases(String opId, String method, String path, JsonObject valid, String field, JsonObject fs,
                           List<Case> out) {
    String type = values.type(fs);
    JsonObject itemSchema = null;
    if ("array".equals(type)) {
      itemSchema = values.itemSchema(fs);
    } else if (!"object".equals(type)) {
      return;
    }
    JsonObject target = "array".equals(type) ? itemSchema : fs;
    if (target == null || target.getJsonObject("properties", new JsonObject()).isEmpty()) {
      return;
    }
    JsonObject props = target.getJsonObject("properties");
    for (String inner : props.fieldNames()) {
      JsonObject is = values.resolve(props.getValue(inner));
      for (Map.Entry<String, Object> bad : badValues(is).entrySet()) {
        if (bad.getKey().equals("object instead") || bad.getKey().equals("huge array")) {
          continue;
        }
        JsonObject b = valid.copy();
        JsonObject holder;
        String where;
        if ("array".equals(type)) {
          JsonArray items = b.getValue(field) instanceof JsonArray a ? a : new JsonArray();
          if (items.isEmpty() || !(items.getValue(0) instanceof JsonObject)) {
            Object first = values.valid(itemSchema, 1);
            items = new JsonArray().add(first instanceof JsonObject j ? j : new JsonObject());
          }
          if (opId.equals("createChatCompletion") || opId.equals("sendThreadMessage")) {
            items = new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"));
          }
          b.put(field, items);
          holder = items.getJsonObject(0);
          where = field + "[0]." + inner;
        } else {
          holder = b.getValue(field) instanceof JsonObject o ? o : new JsonObject();
          b.put(field, holder);
          where = field + "." + inner;
        }
        holder.put(inner, bad.getValue());
        out.add(new Case(opId, where + ": " + bad.getKey(), method, path, Map.of(), own(opId), withSurrogates(b)));
      }
    }
  }

  /** Header values no handler should ever see unrefused or store, as raw bytes. */
  private Map<String, byte[]> badHeaders(JsonObject op) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[] surrogate = {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b'};
    byte[] notUtf8 = {'a', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'b'};
    out.put("x-request-id NUL", "r\u0000q".getBytes(StandardCharsets.UTF_8));
    out.put("x-request-id control characters", "r\u0007\u001bq".getBytes(StandardCharsets.UTF_8));
    out.put("x-request-id unpaired surrogate", surrogate);
    out.put("x-request-id not UTF-8", notUtf8);
    out.put("x-request-id over-long", "r".repeat(8_000).getBytes(StandardCharsets.UTF_8));
    out.put("x-request-id emoji", "r\uD83D\uDE00q".getBytes(StandardCharsets.UTF_8));
    out.put("User-Agent NUL", "ua\u0000x".getBytes(StandardCharsets.UTF_8));
    out.put("User-Agent unpaired surrogate", surrogate);
    out.put("User-Agent RTL marks", "ua\u202Eabc\u200F".getBytes(StandardCharsets.UTF_8));
    for (JsonObject h : params(op, "header")) {
      JsonObject hs = values.resolve(h.getValue("schema"));
      for (Map.Entry<String, Object> bad : badValues(hs).entrySet()) {
        Object v = bad.getValue();
        if (v == null || v instanceof JsonObject || v instanceof JsonArray) {
          continue;
        }
        byte[] bytes = SURROGATE_MARK.equals(v) ? surrogate : String.valueOf(v).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 10_000) {
          continue;
        }
        out.put(h.getString("name") + " " + bad.getKey(), bytes);
      }
    }
    return out;
  }

  private List<Case> validCases(String opId, JsonObject op) {
    List<Case> out = new ArrayList<>();
    JsonObject schema = bodySchema(op);
    for (int i = 0; i < 3; i++) {
      Map<String, String> query = new LinkedHashMap<>();
      for (JsonObject q : params(op, "query")) {
        if (q.getBoolean("required", false) || random.nextBoolean()) {
          if (q.getString("name").equals("api_key") || q.getString("name").equals("after")) {
            continue;
          }
          String fixture = FIXTURE_OF_FIELD.get(q.getString("name"));
          query.put(q.getString("name"), fixture != null && fixtures.containsKey(fixture) ? fixtures.get(fixture)
            : enc(String.valueOf(values.valid(q.getValue("schema"), 1))));
        }
      }
      out.add(new Case(opId, "valid #" + i, op.getString("method"), realPath(op.getString("path"), op.getString("method")), query, own(opId),
        schema == null ? null : validBody(opId, schema).encode()));
    }
    return out;
  }

  /** Wrong values for a field of this schema, by label. */
  private Map<String, Object> badValues(JsonObject s) {
    Map<String, Object> out = new LinkedHashMap<>();
    String type = values.type(s);
    out.put("null", null);
    out.put("wrong type", "string".equals(type) ? (Object) 12345 : "not-a-" + type);
    out.put("object instead", new JsonObject().put("a", 1));
    if ("string".equals(type) || "any".equals(type)) {
      int max = s.getInteger("maxLength", 100_000);
      out.put("over-long string", "x".repeat(Math.min(max + 1, 200_001)));
      out.put("NUL", NUL);
      out.put("control characters", "a\u0007\u001b\u007fb");
      out.put("emoji", "hi \uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD");
      out.put("RTL marks", "\u202Eabc\u200F\u061C");
      out.put("combining marks", "e\u0301\u0302\u0303\u0304\u0305\u0306");
      out.put("unpaired surrogate", SURROGATE_MARK);
      out.put("empty", "");
      out.put("malformed id", "bad id!");
      out.put("unknown id", "zz_unknown_0000");
      if (s.containsKey("enum")) {
        out.put("bad enum", "not-one-of-the-values");
      }
    }
    if ("integer".equals(type) || "number".equals(type)) {
      out.put("huge", new java.math.BigInteger("99999999999999999999999"));
      out.put("long max + 1", new java.math.BigInteger("9223372036854775808"));
      out.put("negative", -1);
      out.put("fraction", 1.5);
      out.put("numeric string", "5");
    }
    if ("array".equals(type)) {
      JsonArray many = new JsonArray();
      for (int i = 0; i < 2_000; i++) {
        many.add("x");
      }
      out.put("huge array", many);
      out.put("array of nulls", new JsonArray().addNull().addNull());
    }
    return out;
  }

  private static String queryString(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    StringBuilder q = new StringBuilder("?");
    query.forEach((k, v) -> q.append(k).append('=').append(v).append('&'));
    q.setLength(q.length() - 1);
    return q.toString();
  }

  private static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- sending and judging ----

  private HttpResponse<byte[]> http(String method, String path, Map<String, String> query, String token, String body)
    throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path + queryString(query))).timeout(Duration.ofSeconds(30))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private Answer answer(Case c) throws Exception {
    if (c.rawHeaders() == null) {
      HttpResponse<byte[]> r = http(c.method(), c.path(), c.query(), c.auth(), c.body());
      Map<String, String> hs = new HashMap<>();
      r.headers().map().forEach((k, v) -> hs.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      return new Answer(r.statusCode(), hs, r.body());
    }
    List<Map.Entry<String, byte[]>> headers = new ArrayList<>(c.rawHeaders());
    if (c.auth() != null) {
      headers.add(Map.entry("Authorization", ("Bearer " + c.auth()).getBytes(StandardCharsets.UTF_8)));
    }
    RawHttp.Response r = raw.send(c.method(), c.path() + queryString(c.query()), headers,
      c.body() == null ? null : c.body().getBytes(StandardCharsets.UTF_8));
    return new Answer(r.status(), r.headers(), r.body());
  }

  private void send(Case c) throws Exception {
    perOperation.merge(c.op(), 1, Integer::sum);
    if (FRESH_SESSION_OF_C.equals(c.auth()) || FRESH_SESSION_OF_G.equals(c.auth())) {
      // the sign-in writes (last login); it is the fuzzer's doing, not the case's
      boolean g = FRESH_SESSION_OF_G.equals(c.auth());
      JsonObject login = call("POST", "/auth/login", null, new JsonObject().put("email", g ? emailG : emailC)
        .put("password", g ? passwordG : Users.PASSWORD));
      String body = c.body();
      if (g && c.label().startsWith("valid #") && body != null) {
        body = new JsonObject(body).put("current_password", passwordG).encode();
      }
      c = new Case(c.op(), c.label(), c.method(), c.path(), c.query(), login == null ? null : login.getString("token"),
        body, c.rawHeaders());
      lastDigest = null;
    }
    Map<String, String> before = lastDigest != null ? lastDigest : settle(c, 200);
    Answer r;
    long asked = System.nanoTime();
    try {
      r = answer(c);
      answerNanos += System.nanoTime() - asked;
    } catch (IllegalArgumentException e) {
      return; // a request the HTTP client itself refuses to build never reaches the service
    } catch (java.io.IOException e) {
      findings.add(c.op() + " [" + c.label() + "] " + c.method() + " " + shorten(c.path()) + " → no answer: " + e);
      lastDigest = null;
      return;
    }
    int status = r.status();
    if (c.op().equals("changePassword") && status / 100 == 2) {
      passwordG = new JsonObject(c.body()).getString("new_password");
    }
    if (c.label().startsWith("valid #") && status >= 400) {
      validMisses.putIfAbsent(c.op(), status + " " + shorten(new String(r.body(), StandardCharsets.UTF_8))
        + (c.body() == null ? "" : " to " + shorten(c.body())));
    }
    statuses.computeIfAbsent(c.op(), k -> new TreeMap<>()).merge(status, 1, Integer::sum);
    String text = new String(r.body(), StandardCharsets.UTF_8);
    String what = c.op() + " [" + c.label() + "] " + c.method() + " " + shorten(c.path()) + " → " + status;
    JsonObject responses = values.resolve(operations().get(c.op()).getJsonObject("op")).getJsonObject("responses");
    if (status >= 500) {
      findings.add(what + " (server error): " + shorten(text));
    } else if (!responses.containsKey(String.valueOf(status))) {
      findings.add(what + " (status not documented for the operation): " + shorten(text));
    }
    if (status >= 400) {
      if (!errorShape(text)) {
        findings.add(what + " (not our error shape): " + shorten(text));
      }
    } else if (status / 100 == 2) {
      String problem = validate(c.op(), r);
      if (problem != null) {
        findings.add(what + " (2xx body breaks the contract): " + problem);
      }
    }
    long settling = System.nanoTime();
    Map<String, String> after = settle(c, status);
    settleNanos += System.nanoTime() - settling;
    if (status >= 400 && !DbDigest.changed(before, after).isEmpty()) {
      after = recheck(c, status, what, after);
    }
    lastDigest = after;
  }

  /**
   * A refusal after which the tables differ: background work (a mail being sent, usage of an
   * earlier call) may have landed meanwhile, so the same request is sent again once things are
   * still; a refusal is repeatable, and if the repeat changes tables too, that is the finding.
   */
  private Map<String, String> recheck(Case c, int status, String what, Map<String, String> changedState) throws Exception {
    List<String> first = DbDigest.changed(lastDigest == null ? changedState : lastDigest, changedState);
    lastDigest = null;
    Map<String, String> quiet = quiet();
    Answer again;
    try {
      again = answer(c);
    } catch (java.io.IOException e) {
      findings.add(what + " (refused but changed tables " + first + "; the repeat got no answer: " + e + ")");
      return quiet();
    }
    Map<String, String> after = settle(c, again.status());
    List<String> changed = DbDigest.changed(quiet, after);
    if (again.status() == status && !changed.isEmpty()) {
      findings.add(what + " (refused but changed tables " + changed + ", also when repeated)");
    }
    return after;
  }

  /** Operations whose success leaves work behind: a mail to send (its outbox row changes when sent). */
  private static final Set<String> MAILING = Set.of("registerUser", "forgotPassword", "inviteOrgMember",
    "resendVerification", "changePassword");

  /**
   * The digest once background writes are done. Usage after a chat call is written once the
   * answer is out, and a queued mail changes its outbox row when it is sent: after those the
   * digest must hold still for a while before it counts, else the next refusal would be blamed.
   * Everything else is written before the answer. (A refusal that still finds a change is
   * repeated before it counts: {@link #recheck}.)
   */
  private Map<String, String> settle(Case c, int status) throws Exception {
    Map<String, String> now = digest.take();
    boolean chat = c.op().equals("createChatCompletion") || c.op().equals("sendThreadMessage")
      || c.op().equals("createResponse") || c.op().equals("createEmbedding");
    boolean mail = status / 100 == 2 && MAILING.contains(c.op());
    if (!chat && !mail) {
      return now;
    }
    int stableNeeded = chat ? 2 : 1;
    int stable = 0;
    for (int i = 0; i < 40 && stable < stableNeeded; i++) {
      Thread.sleep(50);
      Map<String, String> next = digest.take();
      stable = next.equals(now) ? stable + 1 : 0;
      now = next;
    }
    return now;
  }

  /** The digest once it held still for 300 ms. */
  private Map<String, String> quiet() throws Exception {
    Map<String, String> now = digest.take();
    int stable = 0;
    for (int i = 0; i < 60 && stable < 4; i++) {
      Thread.sleep(75);
      Map<String, String> next = digest.take();
      stable = next.equals(now) ? stable + 1 : 0;
      now = next;
    }
    return now;
  }

  private static boolean errorShape(String text) {
    try {
      JsonObject e = new JsonObject(text).getJsonObject("error");
      return e != null && e.getValue("message") instanceof String && e.getValue("type") instanceof String
        && e.containsKey("code");
    } catch (RuntimeException ex) {
      return false;
    }
  }

  private static String validate(String opId, Answer r) {
    String contentType = r.headers().get("content-type");
    if (contentType != null && contentType.startsWith("text/")) {
      return null; // /metrics and event streams: media types the validator cannot run a schema on
    }
    Buffer body = r.body().length == 0 ? null : Buffer.buffer(r.body());
    ValidatableResponse vr = contentType == null || body == null
      ? ValidatableResponse.create(r.status(), r.headers())
      : ValidatableResponse.create(r.status(), r.headers(), body, contentType);
    try {
      Contract.validator().validate(vr, opId).await(10, TimeUnit.SECONDS);
      return null;
    } catch (Exception e) {
      return e.getMessage() + " body: " + shorten(new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  private static String shorten(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  /** -Dfuzz.seed, else FUZZ_SEED, else a fresh one (printed with every finding). */
  private static long seed() {
    String set = setting("fuzz.seed", "FUZZ_SEED");
    return set != null ? Long.parseLong(set.trim()) : new Random().nextLong();
  }

  /** -Dfuzz.budget.seconds, else FUZZ_BUDGET_SECONDS, else 40: the suite keeps the whole test under 90 s. */
  private static long budgetSeconds() {
    String set = setting("fuzz.budget.seconds", "FUZZ_BUDGET_SECONDS");
    return set != null ? Long.parseLong(set.trim()) : 40L;
  }

  private static String setting(String property, String env) {
    String prop = System.getProperty(property);
    if (prop != null && !prop.isBlank()) {
      return prop;
    }
    String fromEnv = System.getenv(env);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : null;
  }
}
