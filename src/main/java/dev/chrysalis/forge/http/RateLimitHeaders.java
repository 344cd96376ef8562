package dev.chrysalis.forge.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The rate-limit headers of a limiter decision: {@code X-RateLimit-*} (as the original service
 * sent them; Reset in epoch seconds), the IETF draft fields {@code RateLimit-Policy} and
 * {@code RateLimit}, and on OpenAI-style routes the names OpenAI clients read.
 */
public final class RateLimitHeaders {

  private RateLimitHeaders() {
  }

  public static void apply(MultiMap headers, JsonObject decision, boolean openAiNames) {
    if (decision.getBoolean("unlimited", false)) {
      return;   // no limit applies: no numbers to announce
    }
    long limit = decision.getLong("limit", 0L);
    long remaining = Math.max(0L, decision.getLong("remaining", 0L));
    long resetAfter = decision.getLong("reset_after", 0L);
    String window = decision.getString("window", "minute");
    headers.set("X-RateLimit-Limit", Long.toString(limit));
    headers.set("X-RateLimit-Remaining", Long.toString(remaining));
    headers.set("X-RateLimit-Reset", Long.toString(decision.getLong("reset", 0L)));
    headers.set("RateLimit-Policy", policy(decision.getJsonArray("policies")));
    headers.set("RateLimit", "\"" + window + "\";r=" + remaining + ";t=" + resetAfter);
    if (openAiNames) {
      headers.set("x-ratelimit-limit-requests", Long.toString(limit));
      headers.set("x-ratelimit-remaining-requests", Long.toString(remaining));
      headers.set("x-ratelimit-reset-requests", duration(resetAfter));
    }
    Long retryAfter = decision.getLong("retry_after");
    if (retryAfter != null && !decision.getBoolean("allowed", true)) {
      headers.set("Retry-After", Long.toString(retryAfter));
    }
  }

  /** {@code "minute";q=10;w=60, "day";q=100;w=86400} (draft-ietf-httpapi-ratelimit-headers). */
  static String policy(JsonArray policies) {
    StringBuilder sb = new StringBuilder(64);
    if (policies != null) {
      for (int i = 0; i < policies.size(); i++) {
        JsonObject p = policies.getJsonObject(i);
        if (i > 0) {
          sb.append(", ");
        }
        sb.append('"').append(p.getString("name")).append("\";q=").append(p.getLong("limit"))
          .append(";w=").append(p.getLong("window_seconds"));
      }
    }
    return sb.toString();
  }

  /** OpenAI's duration style: {@code 0s}, {@code 6s}, {@code 1m0s}, {@code 20h3m4s}. */
  static String duration(long seconds) {
    long h = seconds / 3_600;
    long m = (seconds % 3_600) / 60;
    long s = seconds % 60;
    StringBuilder sb = new StringBuilder(12);
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      sb.append(m).append('m');
    }
    return sb.append(s).append('s').toString();
  }
}
