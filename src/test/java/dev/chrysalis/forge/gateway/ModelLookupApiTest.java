package dev.chrysalis.forge.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.models.Model;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every id a chat accepts can be retrieved, slashes escaped or not; one the chat refuses cannot. */
class ModelLookupApiTest {

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

  @Test
  void everyNameAChatAcceptsCanBeRetrieved() {
    for (String id : List.of("anthropic/claude-3-5-sonnet-latest", "anthropic/claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
      "GPT-4o", "openai/gpt-4o-2024-08-06", "chatgpt-4o-latest", "gpt-9-preview", "ollama/llama3.2:1b")) {
      f.chat(GatewayFixture.hello(id)).expect(200);
      Api.Resp escaped = f.api.call("retrieveModel").path("id", id).bearer(f.user.token()).send().expect(200);
      assertThat(escaped.json().getString("id")).as(id).isEqualTo(id);
      Api.Resp raw = f.api.raw("GET", "/v1/models/" + id).bearer(f.user.token()).send().expect(200);
      assertThat(raw.json()).as(id).isEqualTo(escaped.json());
      assertThat(client.models().retrieve(id).id()).as(id).isEqualTo(id);
    }
  }

  @Test
  void aListedSpellingShowsItsFamilysPriceAndAnUnlistedNameItsProvidersHighest() {
    JsonObject sonnet = f.api.raw("GET", "/v1/models/anthropic/claude-sonnet-4-5").bearer(f.user.token()).send()
      .expect(200).json();
    assertThat(sonnet.getString("owned_by")).isEqualTo("anthropic");
    assertThat(sonnet.getJsonObject("pricing").getDouble("output")).isEqualTo(15.0);
    assertThat(sonnet.getLong("context_window")).isEqualTo(200000L);
    JsonObject unlisted = f.api.raw("GET", "/v1/models/anthropic/claude-3-5-sonnet-latest").bearer(f.user.token())
      .send().expect(200).json();
    assertThat(unlisted.getString("provider")).isEqualTo("anthropic");
    assertThat(unlisted.getString("tier")).isEqualTo("advanced");
    // priced as the most expensive anthropic family (claude-opus-4-1), never cheaper
    assertThat(unlisted.getJsonObject("pricing").getDouble("output")).isEqualTo(75.0);
    JsonObject info = f.api.raw("GET", "/api/models/anthropic/claude-haiku-4-5").bearer(f.user.token()).send()
      .expect(200).json();
    assertThat(info.getString("tier")).isEqualTo("basic");
  }

  @Test
  void aNameTheChatRefusesIsNotFoundEverywhere() {
    for (String id : List.of("no-such-model", "nobody/claude-sonnet-4-5", "mystery/x/y")) {
      assertThat(f.chat(GatewayFixture.hello(id)).status()).as(id).isEqualTo(404);
      Api.Resp raw = f.api.raw("GET", "/v1/models/" + id).bearer(f.user.token()).send().expect(404);
      assertThat(raw.error().getString("code")).as(id).isEqualTo("model_not_found");
      f.api.call("retrieveModel").path("id", id).bearer(f.user.token()).send().expect(404);
    }
    assertThatThrownBy(() -> client.models().retrieve("mystery/x")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aSlashedIdStillNeedsAuthentication() {
    Api.Resp r = f.api.raw("GET", "/v1/models/anthropic/claude-sonnet-4-5").send().expect(401);
    assertThat(r.error().getString("type")).isEqualTo("authentication_error");
  }
}
