package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.billing.BillingService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTTP verticle's near cache of billing admissions that count nothing: a caller whose plan is
 * unlimited in local ledger mode is admitted for a model the way billing last admitted them (billing
 * marks such answers {@code cacheable}), without a bus round trip. Limited plans, Autumn mode and
 * calls in an organization's context always ask billing, which counts or checks membership there.
 *
 * <p>Coherent through {@value BillingService#PLAN_CHANGED_ADDRESS}, which billing publishes
 * cluster-wide after a plan is assigned: the user's entries go at once, and an answer in flight
 * while anything was dropped is not kept. Every entry is asked again after {@link #MAX_AGE_MS}
 * (the bound on staleness should a node miss an event). Per verticle instance, used from its event
 * loop only; refusals are never cached.
 */
final class Admissions {

  /** The longest an admission is reused without asking billing again. */
  static final long MAX_AGE_MS = 60_000;
  private static final int MAX_USERS = 10_000;

  private record Entry(JsonObject answer, long loadedAtMs) {
  }

  private final LinkedHashMap<String, Map<String, Entry>> byUser = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, Entry>> eldest) {
      return size() > MAX_USERS;
    }
  };
  private final MessageConsumer<String> planChanges;
  private long generation;

  Admissions(Vertx vertx) {
    this.planChanges = vertx.eventBus().consumer(BillingService.PLAN_CHANGED_ADDRESS, msg -> {
      String subject = msg.body();
      generation++;
      if (subject != null && subject.startsWith("user:")) {
        byUser.remove(subject.substring(5));
      }
    });
  }

  /** The admission of {@code userId} (personal context when {@code orgId} is null) for {@code model}. */
  Future<JsonObject> admit(String userId, String orgId, String model, Supplier<Future<JsonObject>> billing) {
    if (orgId != null) {
      return billing.get();
    }
    Map<String, Entry> models = byUser.get(userId);
    Entry e = models == null ? null : models.get(model);
    if (e != null && System.currentTimeMillis() - e.loadedAtMs() <= MAX_AGE_MS) {
      return Future.succeededFuture(e.answer().copy());
    }
    long asked = generation;
    return billing.get().map(answer -> {
      if (asked == generation && answer.getBoolean("cacheable", false) && answer.getValue("reservation_id") == null) {
        byUser.computeIfAbsent(userId, k -> new HashMap<>(4)).put(model, new Entry(answer.copy(), System.currentTimeMillis()));
      }
      return answer;
    });
  }

  /** Completes once the event consumer is registered (cluster-wide on a clustered bus). */
  Future<Void> ready() {
    return planChanges.completion();
  }

  Future<Void> close() {
    return planChanges.unregister();
  }
}
