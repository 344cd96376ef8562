package dev.chrysalis.forge.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.chrysalis.forge.ratelimit.RateLimitService;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One org-context rule (body {@code org_id}, then {@code ?org_id=}, then on {@code /v1/…} the
 * {@code OpenAI-Organization} header when it holds a Forge org id) and one answer for an org the
 * caller is not in: 404 {@code org_not_found} from the rate limiter, billing, the vault and the
 * gateway alike. The OpenAI SDKs send the header with OpenAI's own ids whenever OPENAI_ORG_ID is
 * set; such a call is served as a personal one.
 */
class OrgContextApiTest {

  private static GatewayFixture f;
  private static Users.Registered owner;
  private static Users.Registered outsider;
  private static String orgId;
  private static String otherOrgId;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
    owner = f.user;
    outsider = Users.register(f.api);
    orgId = Workspaces.org(f.api, owner).getString("id");
    otherOrgId = Workspaces.org(f.api, outsider).getString("id");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static OpenAIClient sdk(Users.Registered user, String organization) {
    return OpenAIOkHttpClient.builder().apiKey(Users.apiKey(f.api, user, "chat")).baseUrl(f.api.baseUrl() + "/v1")
      .organization(organization).maxRetries(0).build();
  }

  private static ChatCompletionCreateParams hello() {
    return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello.").build();
  }

  private static long upstreamChats() {
    return f.fake.seen.stream().filter(s -> s.path().endsWith("/chat/completions")).count();
  }

  /** The org ids of the user's usage rows, oldest first, once {@code n} are there (usage is recorded after the answer). */
  private static List<String> usageOrgs(Users.Registered user, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    List<String> orgs = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      orgs.clear();
      try (Connection c = TestDatabase.connect(f.app.databaseUrl());
           PreparedStatement ps = c.prepareStatement(
             "SELECT coalesce(org_id, '-') FROM usage_events WHERE user_id = ? ORDER BY created_at, id")) {
        ps.setString(1, user.id());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            orgs.add(rs.getString(1));
          }
        }
      }
      if (orgs.size() >= n) {
        return orgs;
      }
      Thread.sleep(50);
    }
    return orgs;
  }

  @Test
  void theSdkWithAnOpenAiOrganizationIsServedAsAPersonalCall() throws Exception {
    Users.Registered user = Users.register(f.api);
    OpenAIClient client = sdk(user, "org-AbCdEfGh1234567890abcd");
    try {
      ChatCompletion c = client.chat().completions().create(hello());
      assertThat(c.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).contains("Hello"));
      assertThat(client.models().list().data()).isNotEmpty();
    } finally {
      client.close();
    }
    assertThat(f.fake.last().headers().get("openai-organization")).as("never forwarded upstream").isNull();
    assertThat(usageOrgs(user, 1)).containsExactly("-");
    // the same header on the other OpenAI-compatible operations
    f.api.call("createEmbedding").bearer(user.token()).header("OpenAI-Organization", "org-AbCdEfGh1234567890abcd")
      .body(new JsonObject().put("model", "text-embedding-3-small").put("input", "hello")).send().expect(200);
    f.api.call("createResponse").bearer(user.token()).header("OpenAI-Organization", "org-AbCdEfGh1234567890abcd")
      .body(new JsonObject().put("model", "gpt-4o-mini").put("input", "Say hello.")).send().expect(200);
  }

  @Test
  void theSdkWithAForgeOrgIdOfTheCallersOrgBillsTheOrg() throws Exception {
    OpenAIClient client = sdk(owner, orgId);
    try {
      client.chat().completions().create(hello());
    } finally {
      client.close();
    }
    assertThat(usageOrgs(owner, 1)).contains(orgId);
  }

  @Test
  void theSdkWithAForgeOrgIdOfSomeoneElsesOrgGets404() {
    long before = upstreamChats();
    OpenAIClient client = sdk(owner, otherOrgId);
    try {
      assertThatThrownBy(() -> client.chat().completions().create(hello())).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> client.models().list()).isInstanceOf(NotFoundException.class);
    } finally {
      client.close();
    }
    assertThat(upstreamChats()).isEqualTo(before);
  }

  private static void orgNotFound(Api.Resp r) {
    r.expect(404);
    assertThat(r.error().getString("code")).isEqualTo("org_not_found");
    assertThat(r.error().getString("type")).isEqualTo("not_found");
    assertThat(r.error().getString("message")).isEqualTo("Organization not found.");
  }

  @Test
  void aNonMemberGetsTheSame404FromEveryEntryPoint() {
    long before = upstreamChats();
    String token = owner.token();
    List<Supplier<Api.Resp>> calls = List.of(
      // the gateway (body, header), the rate limiter (?org_id= on any operation), billing, the vault,
      // the workspace
      () -> f.chat(GatewayFixture.hello("gpt-4o-mini").put("org_id", otherOrgId)),
      () -> f.api.call("createChatCompletion").bearer(token).header("OpenAI-Organization", otherOrgId)
        .body(GatewayFixture.hello("gpt-4o-mini")).send(),
      () -> f.api.raw("POST", "/v1/chat/completions?org_id=" + otherOrgId).bearer(token)
        .body(GatewayFixture.hello("gpt-4o-mini")).send(),
      () -> f.api.call("listModels").bearer(token).header("OpenAI-Organization", otherOrgId).send(),
      () -> f.api.call("createEmbedding").bearer(token).body(new JsonObject().put("model", "text-embedding-3-small")
        .put("input", "hello").put("org_id", otherOrgId)).send(),
      () -> f.api.call("createResponse").bearer(token).header("OpenAI-Organization", otherOrgId)
        .body(new JsonObject().put("model", "gpt-4o-mini").put("input", "Say hello.")).send(),
      () -> f.api.call("createResponse").bearer(token)
        .body(new JsonObject().put("model", "gpt-4o-mini").put("input", "Say hello.").put("org_id", otherOrgId)).send(),
      () -> f.api.call("getBillingPlan").bearer(token).query("org_id", otherOrgId).send(),
      () -> f.api.call("getBillingUsage").bearer(token).query("org_id", otherOrgId).send(),
      () -> f.api.call("listProviderKeys").bearer(token).query("org_id", otherOrgId).send(),
      () -> f.api.call("addProviderKey").bearer(token).body(new JsonObject().put("provider", "openai")
        .put("api_key", "sk-not-for-this-org-0001").put("org_id", otherOrgId)).send(),
      // the workspace: the org itself, its members, and listing its projects
      () -> f.api.call("getOrg").bearer(token).path("id", otherOrgId).send(),
      () -> f.api.call("listOrgMembers").bearer(token).path("id", otherOrgId).send(),
      () -> f.api.call("listProjects").bearer(token).query("org_id", otherOrgId).send(),
      // an org id that names no org at all is the same answer
      () -> f.chat(GatewayFixture.hello("gpt-4o-mini").put("org_id", "org_doesnotexist00000000")),
      // an explicit id that is not a Forge org id cannot name an org either
      () -> f.chat(GatewayFixture.hello("gpt-4o-mini").put("org_id", "org-openai-style-id")),
      () -> f.api.raw("GET", "/v1/models?org_id=org-openai-style-id").bearer(token).send());
    for (Supplier<Api.Resp> call : calls) {
      orgNotFound(call.get());
    }
    assertThat(upstreamChats()).as("nothing reached a provider").isEqualTo(before);
    assertThat(f.api.call("listProviderKeys").bearer(outsider.token()).query("org_id", otherOrgId).send().expect(200)
      .json().getJsonArray("data")).as("nothing stored for the org").isEmpty();
  }

  @Test
  void aNonMembersRequestsAreCountedBeforeThe404() throws Exception {
    Users.Registered user = Users.register(f.api);
    RateLimitService limiter = RateLimitService.createProxy(f.app.vertx());
    long before = limiter.stats().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).getLong("checks");
    for (int i = 0; i < 3; i++) {
      Api.Resp r = f.api.call("listModels").bearer(user.token()).header("OpenAI-Organization", otherOrgId).send();
      orgNotFound(r);
      assertThat(r.header("X-RateLimit-Remaining")).as("the limiter answered").isNotNull();
    }
    long after = limiter.stats().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).getLong("checks");
    // each refusal was counted by the rate limit: repeating it is not free
    assertThat(after - before).isEqualTo(3);
  }

  @Test
  void precedenceIsBodyThenQueryThenHeader() throws Exception {
    Users.Registered member = Users.register(f.api);
    String first = Workspaces.org(f.api, member).getString("id");
    String second = Workspaces.org(f.api, member).getString("id");
    // the body's org wins over the query and the header
    f.api.raw("POST", "/v1/chat/completions?org_id=" + second).bearer(member.token())
      .header("OpenAI-Organization", second).body(GatewayFixture.hello("gpt-4o-mini").put("org_id", first))
      .send().expect(200);
    // the query wins over the header
    f.api.raw("POST", "/v1/chat/completions?org_id=" + first).bearer(member.token())
      .header("OpenAI-Organization", second).body(GatewayFixture.hello("gpt-4o-mini")).send().expect(200);
    // the header alone, with a Forge org id of the caller's org
    f.api.call("createChatCompletion").bearer(member.token()).header("OpenAI-Organization", second)
      .body(GatewayFixture.hello("gpt-4o-mini")).send().expect(200);
    // usage rows are written in batches, so their order need not be the calls' order: any other
    // precedence would change how many rows each org has
    assertThat(usageOrgs(member, 3)).containsExactlyInAnyOrder(first, first, second);
    // every Forge org id a request names must be one of the caller's: a foreign one in the header
    // is refused even when the body names the caller's own org (the rate limit reads the header)
    orgNotFound(f.api.call("createChatCompletion").bearer(member.token()).header("OpenAI-Organization", otherOrgId)
      .body(GatewayFixture.hello("gpt-4o-mini").put("org_id", first)).send());
  }

  @Test
  void theHeaderCountsOnlyOnTheOpenAiCompatibleOperations() {
    // the console and management routes take the org only from ?org_id=: the header is ignored there
    f.api.call("getBillingPlan").bearer(owner.token()).header("OpenAI-Organization", otherOrgId).send().expect(200);
    f.api.call("listProviderKeys").bearer(owner.token()).header("OpenAI-Organization", otherOrgId).send().expect(200);
  }
}
