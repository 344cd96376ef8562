package dev.chrysalis.forge.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import dev.chrysalis.forge.testing.Users;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK, pointed at the gateway with a chs_ key, works unchanged. */
class OpenAiSdkApiTest {

  private static GatewayFixture f;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
    String key = Users.apiKey(f.api, f.user, "chat");
    client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(f.api.baseUrl() + "/v1").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    f.close();
  }

  private static ChatCompletionCreateParams params(String model) {
    return ChatCompletionCreateParams.builder().model(model).addSystemMessage("Be brief.").addUserMessage("Say hello.")
      .build();
  }

  @Test
  void createAcrossProviders() {
    for (String model : List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r")) {
      ChatCompletion c = client.chat().completions().create(params(model));
      assertThat(c.choices().get(0).message().content()).as(model).contains("Hello there!");
      assertThat(c.usage().orElseThrow().totalTokens()).as(model).isPositive();
    }
  }

  @Test
  void streamAcrossProviders() {
    for (String model : List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r")) {
      ChatCompletionCreateParams p = params(model).toBuilder()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
      AtomicLong usage = new AtomicLong();
      String text;
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(p)) {
        text = stream.stream().peek(c -> c.usage().ifPresent(u -> usage.set(u.totalTokens())))
          .flatMap(c -> c.choices().stream())
          .map(ch -> ch.delta().content().orElse(""))
          .collect(Collectors.joining());
      }
      assertThat(text).as(model).isEqualTo("Hello there!");
      assertThat(usage.get()).as(model).isPositive();
    }
  }

  @Test
  void listAndRetrieveModels() {
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("gpt-4o", "claude-sonnet-4-5", "gpt-live-1");
    Model m = client.models().retrieve("gemini-2.5-pro");
    assertThat(m.id()).isEqualTo("gemini-2.5-pro");
    assertThat(m.ownedBy()).isEqualTo("google");
  }

  @Test
  void typedExceptions() {
    OpenAIClient wrongKey = OpenAIOkHttpClient.builder().apiKey("chs_wrong").baseUrl(f.api.baseUrl() + "/v1")
      .maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrongKey.chat().completions().create(params("gpt-4o")))
        .isInstanceOf(UnauthorizedException.class);
    } finally {
      wrongKey.close();
    }
    assertThatThrownBy(() -> client.chat().completions().create(params("no-such-model")))
      .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.models().retrieve("no-such-model")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.chat().completions().create(params("gpt-4o-err429")))
      .isInstanceOf(RateLimitException.class);
    assertThatThrownBy(() -> client.chat().completions().create(params("gpt-4o-err500")))
      .isInstanceOf(InternalServerException.class);
  }

  @Test
  void midStreamErrorSurfacesAsAnSdkError() {
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("gpt-4o-cut"))) {
        stream.stream().forEach(c -> { });
      }
    }).hasMessageContaining("broke");
  }
}
