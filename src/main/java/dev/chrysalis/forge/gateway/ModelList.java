package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.catalog.CatalogModel;
import dev.chrysalis.forge.catalog.ResolvedModel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models}: the catalog merged with the live lists of the configured
 * OpenAI-compatible upstreams (CHRYSALIS_LIVE_MODELS that have a service key, or need none).
 * Live lists are cached for the TTL; an upstream that fails is skipped (and tried again on the
 * next refresh), so the call never fails because of one. Live ids that would not route back to
 * their provider as bare names are listed as {@code provider/id}.
 */
public final class ModelList {

  private static final Logger LOG = LoggerFactory.getLogger(ModelList.class);
  private static final long LIST_TIMEOUT_MS = 5_000;

  private final GatewayConfig config;
  private final ModelRouter catalog;
  private final ServiceEnvironmentKeys keys;
  private final HttpClient client;
  private final long startedAt = System.currentTimeMillis() / 1000;
  private JsonArray cachedLive;
  private long cachedAt;
  private Future<JsonArray> refreshing;

  public ModelList(GatewayConfig config, ModelRouter catalog, ServiceEnvironmentKeys keys,
                   HttpClient client) {
    this.config = config;
    this.catalog = catalog;
    this.keys = keys;
    this.client = client;
  }

  public Future<JsonObject> list() {
    return live().map(liveModels -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      for (CatalogModel m : catalog.models()) {
        if (catalog.isAllowed(m.id())) {
          byId.put(m.id(), m.toJson(startedAt));
        }
      }
      for (Object o : liveModels) {
        JsonObject m = (JsonObject) o;
        if (catalog.isAllowed(m.getString("id"))) {
          byId.putIfAbsent(m.getString("id"), m);
        }
      }
      return new JsonObject().put("object", "list").put("data", new JsonArray(new ArrayList<>(byId.values())));
    });
  }

  /**
   * Every name a chat accepts, answered with what the catalog says of it: a listed family (any
   * spelling: alias, snapshot, case, provider prefix) with its tier and price, an unlisted name
   * with its provider's fallback tier and price; a name of a live list as that list shows it; 404
   * model_not_found otherwise. The id answered is the name asked for, as chat answers repeat it.
   */
  public Future<JsonObject> get(String id) {
    ModelRoute route;
    try {
      route = id.isBlank() ? null : catalog.route(id);
    } catch (ServiceException e) {
      route = null;
    }
    if (route != null && route.catalog() != null) {
      return Future.succeededFuture(describe(id, route.model()));
    }
    ModelRoute unlisted = route;
    return live().compose(liveModels -> {
      for (Object o : liveModels) {
        JsonObject j = (JsonObject) o;
        if (j.getString("id").equals(id) && catalog.isAllowed(id)) {
          return Future.succeededFuture(j);
        }
      }
      return unlisted != null ? Future.succeededFuture(describe(id, unlisted.model()))
        : Future.failedFuture(ModelRouter.notFound(id));
    });
  }

  private JsonObject describe(String id, ResolvedModel m) {
    if (m.entry() != null) {
      return m.entry().toJson(startedAt).put("id", id);
    }
    return new JsonObject()
      .put("id", id)
      .put("object", "model")
      .put("created", startedAt)
      .put("owned_by", m.provider())
      .put("provider", m.provider())
      .put("tier", m.tier())
      .put("pricing", new JsonObject()
        .put("currency", "USD")
        .put("unit", "1M tokens")
        .put("input", m.inputPrice())
        .put("output", m.outputPrice()));
  }

  private Future<JsonArray> live() {
    long now = System.currentTimeMillis();
    if (cachedLive != null && now - cachedAt < config.liveModelsTtlSeconds() * 1000) {
      return Future.succeededFuture(cachedLive);
    }
    if (refreshing != null) {
      return refreshing;
    }
    List<Future<JsonArray>> lists = new ArrayList<>();
    for (String provider : config.liveModelProviders()) {
      if (Providers.OPENAI_COMPATIBLE.contains(provider) && keys.hasKey(provider)) {
        lists.add(fetch(provider).recover(t -> {
          LOG.warn("model list of {} unavailable: {}", provider, t.getClass().getSimpleName());
          return Future.succeededFuture(new JsonArray());
        }));
      }
    }
    refreshing = Future.join(lists).map(all -> {
      JsonArray merged = new JsonArray();
      lists.forEach(f -> merged.addAll(f.result()));
      cachedLive = merged;
      cachedAt = System.currentTimeMillis();
      refreshing = null;
      return merged;
    });
    return refreshing;
  }

  private Future<JsonArray> fetch(String provider) {
    GatewayConfig.ProviderSettings s = config.provider(provider);
    String url = s.baseUrl() + (provider.equals("openai") || provider.equals("custom") ? "/models" : "/v1/models");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
      .setConnectTimeout(LIST_TIMEOUT_MS).setIdleTimeout(LIST_TIMEOUT_MS).putHeader("accept", "application/json");
    if (!s.apiKey().isBlank()) {
      options.putHeader("authorization", "Bearer " + s.apiKey());
    }
    return client.request(options)
      .compose(req -> req.send())
      .compose(resp -> resp.statusCode() == 200
        ? resp.body()
        : Future.failedFuture(new IllegalStateException("HTTP " + resp.statusCode())))
      .map(body -> {
        JsonArray out = new JsonArray();
        for (Object o : body.toJsonObject().getJsonArray("data", new JsonArray())) {
          if (o instanceof JsonObject m && m.getValue("id") instanceof String id && id.length() <= 200) {
            String listed = provider.equals(Providers.byPrefix(id)) ? id : provider + "/" + id;
            out.add(new JsonObject().put("id", listed).put("object", "model")
              .put("created", m.getValue("created") instanceof Number n ? n.longValue() : startedAt)
              .put("owned_by", m.getValue("owned_by") instanceof String owner ? owner : provider)
              .put("provider", provider));
          }
        }
        return out;
      });
  }

}
