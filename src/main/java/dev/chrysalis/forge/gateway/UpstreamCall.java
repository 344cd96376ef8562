package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** The HTTP request an adapter wants sent: absolute URL, headers (key included), JSON body. */
public record UpstreamCall(String url, MultiMap headers, Buffer body) {

  public static MultiMap jsonHeaders() {
    return MultiMap.caseInsensitiveMultiMap()
      .add("content-type", "application/json")
      .add("accept", "application/json");
  }
}
