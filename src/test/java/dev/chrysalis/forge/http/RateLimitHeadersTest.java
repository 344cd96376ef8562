package dev.chrysalis.forge.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The header names and formats; the /v1 routes that use the OpenAI names arrive with the gateway. */
class RateLimitHeadersTest {

  private static JsonObject decision(boolean allowed) {
    JsonObject d = new JsonObject().put("allowed", allowed).put("limit", 60).put("remaining", allowed ? 59 : 0)
      .put("reset", 1_764_115_200L).put("reset_after", 61).put("window", "minute")
      .put("policies", new JsonArray()
        .add(new JsonObject().put("name", "minute").put("limit", 60).put("window_seconds", 60))
        .add(new JsonObject().put("name", "day").put("limit", 1000).put("window_seconds", 86_400)));
    return allowed ? d : d.put("retry_after", 1);
  }

  @Test
  void openAiNamesOnV1Only() {
    MultiMap v1 = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(v1, decision(true), true);
    assertThat(v1.get("x-ratelimit-limit-requests")).isEqualTo("60");
    assertThat(v1.get("x-ratelimit-remaining-requests")).isEqualTo("59");
    assertThat(v1.get("x-ratelimit-reset-requests")).isEqualTo("1m1s");
    assertThat(v1.get("X-RateLimit-Reset")).isEqualTo("1764115200");
    assertThat(v1.get("RateLimit-Policy")).isEqualTo("\"minute\";q=60;w=60, \"day\";q=1000;w=86400");
    assertThat(v1.get("RateLimit")).isEqualTo("\"minute\";r=59;t=61");
    assertThat(v1.get("Retry-After")).isNull();

    MultiMap other = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(other, decision(false), false);
    assertThat(other.get("x-ratelimit-limit-requests")).isNull();
    assertThat(other.get("Retry-After")).isEqualTo("1");
    assertThat(other.get("X-RateLimit-Remaining")).isEqualTo("0");
  }

  @Test
  void durationsLookLikeOpenAis() {
    assertThat(RateLimitHeaders.duration(0)).isEqualTo("0s");
    assertThat(RateLimitHeaders.duration(6)).isEqualTo("6s");
    assertThat(RateLimitHeaders.duration(60)).isEqualTo("1m0s");
    assertThat(RateLimitHeaders.duration(72_244)).isEqualTo("20h4m4s");
  }
}
