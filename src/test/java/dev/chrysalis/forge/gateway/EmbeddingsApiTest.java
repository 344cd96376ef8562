package dev.chrysalis.forge.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** POST /v1/embeddings for every provider with embeddings, with the official OpenAI Java SDK and raw HTTP. */
class EmbeddingsApiTest {

  private static final List<String> TEXTS = List.of("The quick brown fox", "jumps", "over the lazy dog!");
  private static final List<String> MODELS = List.of("text-embedding-3-small", "mistral-embed", "embed-v4.0",
    "gemini-embedding-001", "ollama/nomic-embed-text");

  private static GatewayFixture f;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
    client = OpenAIOkHttpClient.builder().apiKey(Users.apiKey(f.api, f.user, "chat"))
      .baseUrl(f.api.baseUrl() + "/v1").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    f.close();
  }

  private Api.Resp embed(JsonObject body) {
    return f.api.call("createEmbedding").bearer(f.user.token()).body(body).send();
  }

  private static long tokens(List<String> texts) {
    return texts.stream().mapToLong(FakeProviders::embedTokens).sum();
  }

  @Test
  void sdkEmbedsAcrossProvidersInInputOrder() {
    for (String model : MODELS) {
      CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model(model)
        .input(EmbeddingCreateParams.Input.ofArrayOfStrings(TEXTS)).build());
      r.validate();
      assertThat(r.data()).as(model).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(r.data().get(i).index()).isEqualTo(i);
        assertThat(r.data().get(i).embedding()).as(model).containsExactly(i + 0f, i + 0.25f, i + 0.5f, i + 0.75f);
      }
      assertThat(r.model()).isEqualTo(model);
      assertThat(r.usage().promptTokens()).as(model).isEqualTo(tokens(TEXTS));
    }
  }

  @Test
  void dimensionsReachEachProviderInItsTerms() {
    record Case(String model, String field) {
    }
    for (Case c : List.of(new Case("text-embedding-3-large", "dimensions"), new Case("mistral-embed", "output_dimension"),
      new Case("embed-v4.0", "output_dimension"), new Case("gemini-embedding-001", "requests"))) {
      JsonObject r = embed(new JsonObject().put("model", c.model()).put("input", "hello").put("dimensions", 6))
        .expect(200).json();
      assertThat(r.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size()).as(c.model()).isEqualTo(6);
      JsonObject sent = f.fake.last().body();
      assertThat(sent.containsKey(c.field())).as(c.model()).isTrue();
      if (c.model().startsWith("gemini")) {
        assertThat(sent.getJsonArray("requests").getJsonObject(0).getInteger("outputDimensionality")).isEqualTo(6);
      }
    }
  }

  @Test
  void base64IsFloat32LittleEndian() {
    JsonObject r = embed(new JsonObject().put("model", "embed-v4.0").put("input", new JsonArray().add("a").add("b"))
      .put("encoding_format", "base64")).expect(200).json();
    String encoded = r.getJsonArray("data").getJsonObject(1).getString("embedding");
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(16);
    assertThat(new float[] {bytes.getFloat(), bytes.getFloat(), bytes.getFloat(), bytes.getFloat()})
      .containsExactly(1f, 1.25f, 1.5f, 1.75f);
    CreateEmbeddingResponse sdk = client.embeddings().create(EmbeddingCreateParams.builder().model("mistral-embed")
      .input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
    assertThat(sdk.data().get(0).embedding()).containsExactly(0f, 0.25f, 0.5f, 0.75f);
  }

  @Test
  void tokenArraysWhereTheProviderTakesThem() throws Exception {
    JsonObject r = embed(new JsonObject().put("model", "text-embedding-3-small")
      .put("input", new JsonArray().add(new JsonArray().add(1).add(2).add(3)).add(new JsonArray().add(4))))
      .expect(200).json();
    assertThat(r.getJsonArray("data").size()).isEqualTo(2);
    assertThat(r.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(4L);
    assertThat(f.fake.last().body().getJsonArray("input").getJsonArray(0).getInteger(2)).isEqualTo(3);
    int calls = f.fake.seen.size();
    Api.Resp refused = embed(new JsonObject().put("model", "embed-v4.0").put("input", new JsonArray().add(1).add(2)))
      .expect(400);
    assertThat(refused.error().getString("code")).isEqualTo("unsupported_parameter");
    assertThat(refused.error().getString("param")).isEqualTo("input");
    assertThat(f.fake.seen.size()).isEqualTo(calls);
  }

  @Test
  void billedByTokensWithoutTakingAChatMessage() throws Exception {
    String requestId = "emb-test-" + UUID.randomUUID();
    f.api.call("createEmbedding").bearer(f.user.token()).header("x-request-id", requestId)
      .body(new JsonObject().put("model", "openai/text-embedding-3-small").put("input", new JsonArray(TEXTS)))
      .send().expect(200);
    JsonObject row = f.waitForUsage(f.user.id(), requestId);
    assertThat(row.getString("model")).isEqualTo("text-embedding-3-small");
    assertThat(row.getString("provider")).isEqualTo("openai");
    assertThat(row.getLong("input_tokens")).isEqualTo(tokens(TEXTS));
    assertThat(row.getLong("output_tokens")).isZero();
    assertThat(row.getBoolean("estimated")).isFalse();
    assertThat(row.getString("reservation_id")).isNull();
    assertThat(f.reservations(requestId)).isEmpty();
    assertThat(cost(requestId)).isEqualByComparingTo(BigDecimal.valueOf(tokens(TEXTS) * 0.02 / 1_000_000)
      .setScale(8, java.math.RoundingMode.HALF_UP));

    // Google reports no token count: the estimate is recorded as such
    String google = "emb-test-" + UUID.randomUUID();
    f.api.call("createEmbedding").bearer(f.user.token()).header("x-request-id", google)
      .body(new JsonObject().put("model", "gemini-embedding-001").put("input", "hello there")).send().expect(200);
    JsonObject grow = f.waitForUsage(f.user.id(), google);
    assertThat(grow.getBoolean("estimated")).isTrue();
    assertThat(grow.getLong("input_tokens")).isEqualTo(3L);
  }

  @Test
  void upstreamErrorsAnswerInOurShape() {
    assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder()
      .model("text-embedding-3-small-err429").input("x").build())).isInstanceOf(RateLimitException.class);
    Api.Resp r = embed(new JsonObject().put("model", "embed-v4.0-err500").put("input", "x")).expect(502);
    assertThat(r.error().getString("message")).doesNotContain("sk-live");
  }

  @Test
  void badInputIsRefusedInOurShapeAndCostsNothing() throws Exception {
    int calls = f.fake.seen.size();
    long ledger = ledgerRows();
    record Case(JsonObject body, String code, String param) {
    }
    List<Case> cases = List.of(
      new Case(new JsonObject().put("model", "gpt-4o").put("input", "x"), "invalid_request", "model"),
      new Case(new JsonObject().put("model", "claude-haiku-4-5").put("input", "x"), "invalid_request", "model"),
      new Case(new JsonObject().put("model", "anthropic/voyage-3").put("input", "x"), "unsupported_parameter", "model"),
      new Case(new JsonObject().put("model", "text-embedding-3-small").put("input", "x").put("truncate", "END"),
        "unsupported_parameter", "truncate"),
      new Case(new JsonObject().put("model", "text-embedding-3-small").put("input", ""), "invalid_request", "input"),
      new Case(new JsonObject().put("model", "text-embedding-3-small").put("input", new JsonArray().add("a").add(1)),
        "invalid_request", "input[1]"),
      new Case(new JsonObject().put("model", "text-embedding-3-small").put("input", new JsonArray()
        .add(new JsonArray().add(-1))), "invalid_request", "input[0][0]"),
      new Case(new JsonObject().put("model", "embed-v4.0").put("input", "x").put("input_type", "poetry"),
        "invalid_request", "input_type"));
    for (Case c : cases) {
      Api.Resp r = f.api.raw("POST", "/v1/embeddings").bearer(f.user.token()).body(c.body()).send();
      assertThat(r.status()).as(c.body().encode()).isEqualTo(400);
      assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
      assertThat(r.error().getString("code")).as(c.body().encode()).isEqualTo(c.code());
      assertThat(r.error().getString("param")).as(c.body().encode()).isEqualTo(c.param());
    }
    Api.Resp schema = f.api.raw("POST", "/v1/embeddings").bearer(f.user.token())
      .body(new JsonObject().put("model", "text-embedding-3-small").put("input", "x").put("encoding_format", "int8"))
      .send().expect(400);
    assertThat(schema.error().getString("type")).isEqualTo("invalid_request_error");
    assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("gpt-4o").input("x")
      .build())).isInstanceOf(BadRequestException.class);
    Api.Resp chat = f.chat(GatewayFixture.hello("text-embedding-3-small")).expect(400);
    assertThat(chat.error().getString("param")).isEqualTo("model");
    assertThat(f.fake.seen.size()).isEqualTo(calls);
    assertThat(ledgerRows()).isEqualTo(ledger);
  }

  @Test
  void embeddingModelsAreInTheCatalogWithPrices() {
    JsonObject m = f.api.call("retrieveModel").path("id", "text-embedding-3-large").bearer(f.user.token()).send()
      .expect(200).json();
    assertThat(m.getString("kind")).isEqualTo("embedding");
    assertThat(m.getJsonObject("pricing").getDouble("input")).isEqualTo(0.13);
    assertThat(m.getJsonObject("pricing").getDouble("output")).isEqualTo(0.0);
  }

  private BigDecimal cost(String requestId) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Connection c = TestDatabase.connect(f.app.databaseUrl());
           PreparedStatement ps = c.prepareStatement("SELECT cost_usd FROM usage_events WHERE client_request_id = ?")) {
        ps.setString(1, requestId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getBigDecimal(1);
          }
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no usage row for " + requestId);
      }
      Thread.sleep(50);
    }
  }

  private long ledgerRows() throws Exception {
    try (Connection c = TestDatabase.connect(f.app.databaseUrl());
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM usage_events")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
