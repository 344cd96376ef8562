package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonObject;

/** Where people reach the service ({@code server.public_url}, no trailing slash): the base of every link in a mail. */
public final class PublicUrl {

  private PublicUrl() {
  }

  public static String of(JsonObject config) {
    String u = config.getJsonObject("server", new JsonObject()).getString("public_url", "http://localhost:8080").trim();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
