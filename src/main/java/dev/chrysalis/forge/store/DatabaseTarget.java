package dev.chrysalis.forge.store;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Where the service's PostgreSQL lives: host, port, database and credentials. Built from
 * {@code CHRYSALIS_DATABASE_URL} or from the embedded server, and handed to every verticle
 * inside its config under {@code database.connect}.
 */
public record DatabaseTarget(String host, int port, String database, String user, String password) {

  public static DatabaseTarget fromUrl(String url) {
    String normalized = url.trim();
    // the original service's URLs name a driver (postgresql+asyncpg://); the scheme is all we need
    int plus = normalized.indexOf('+');
    int colon = normalized.indexOf("://");
    if (plus > 0 && colon > plus) {
      normalized = normalized.substring(0, plus) + normalized.substring(colon);
    }
    if (normalized.startsWith("postgres://")) {
      normalized = "postgresql://" + normalized.substring("postgres://".length());
    }
    PgConnectOptions o;
    try {
      o = PgConnectOptions.fromUri(normalized);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("CHRYSALIS_DATABASE_URL is not a valid postgresql:// URL");
    }
    return new DatabaseTarget(o.getHost(), o.getPort(), o.getDatabase(), o.getUser(), o.getPassword());
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions o = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database).setUser(user);
    if (password != null) {
      o.setPassword(password);
    }
    return o.setCachePreparedStatements(true).setPipeliningLimit(256).setReconnectAttempts(2)
      .setReconnectInterval(500);
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("database", database).put("user", user)
      .put("password", password);
  }

  public static DatabaseTarget fromJson(JsonObject json) {
    return new DatabaseTarget(json.getString("host"), json.getInteger("port"), json.getString("database"),
      json.getString("user"), json.getString("password"));
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }
}
