package dev.chrysalis.forge.vault;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Re-encrypts every row that is not on the newest key version, batch by batch in id order, while
 * the service keeps serving: each update only applies if the row still holds the ciphertext that
 * was read. A row no configured key opens is reported, marked invalid and skipped.
 */
public final class Rewrapper {

  private static final Logger LOG = LoggerFactory.getLogger(Rewrapper.class);

  private final ProviderKeyStore store;
  private final VaultCrypto crypto;
  private final int batchSize;

  public Rewrapper(ProviderKeyStore store, VaultCrypto crypto, int batchSize) {
    this.store = store;
    this.crypto = crypto;
    this.batchSize = Math.max(1, batchSize);
  }

  /** @param afterBatch called after each batch (the verticle drops its cache there) */
  public Future<JsonObject> run(Consumer<Integer> afterBatch) {
    JsonObject report = new JsonObject()
      .put("current_version", crypto.currentVersion())
      .put("rewrapped", 0)
      .put("skipped", 0)
      .put("batches", 0)
      .put("failed", new JsonArray());
    return batch("", report, afterBatch)
      .compose(v -> store.countByVersion())
      .map(versions -> {
        report.put("versions", versions);
        LOG.info("vault rewrap finished: {} rewrapped to version {}, {} failed, {} batches",
          report.getInteger("rewrapped"), crypto.currentVersion(), report.getJsonArray("failed").size(),
          report.getInteger("batches"));
        return report;
      });
  }

  private Future<Void> batch(String afterId, JsonObject report, Consumer<Integer> afterBatch) {
    return store.staleBatch(crypto.currentVersion(), afterId, batchSize).compose(rows -> {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Future<Void>> work = new ArrayList<>(rows.size());
      for (ProviderKeyStore.KeyRow row : rows) {
        work.add(one(row, report));
      }
      String last = rows.get(rows.size() - 1).id();
      return Future.all(work).compose(v -> {
        report.put("batches", report.getInteger("batches") + 1);
        afterBatch.accept(rows.size());
        return rows.size() < batchSize ? Future.succeededFuture() : batch(last, report, afterBatch);
      });
    });
  }

  private Future<Void> one(ProviderKeyStore.KeyRow row, JsonObject report) {
    String rewrapped;
    try {
      rewrapped = crypto.encrypt(crypto.decrypt(row.encryptedKey(), row.aad()), row.aad());
    } catch (VaultCrypto.VaultCryptoException e) {
      LOG.warn("vault rewrap: row {} ({} {}, provider {}) cannot be decrypted: {}; marked invalid",
        row.id(), row.ownerKind(), row.ownerId(), row.provider(), e.getMessage());
      report.getJsonArray("failed").add(new JsonObject().put("id", row.id()).put("owner_kind", row.ownerKind())
        .put("owner_id", row.ownerId()).put("provider", row.provider()).put("reason", e.getMessage()));
      return store.markUndecryptable(row.id());
    }
    return store.rewrap(row.id(), row.encryptedKey(), rewrapped, crypto.currentVersion()).map(done -> {
      String field = done ? "rewrapped" : "skipped";
      report.put(field, report.getInteger(field) + 1);
      return null;
    });
  }
}
