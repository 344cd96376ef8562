package dev.chrysalis.forge.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node lets clients hold while their requests come in, shared by every HTTP verticle
 * of the node: bytes of request bodies being read (in total and per client address) and open
 * connections per peer address. The limits come from the first verticle's config; all verticles
 * of a node read the same config.
 */
final class IntakeBudget implements Shareable {

  enum Grant { GRANTED, CLIENT_FULL, NODE_FULL }

  private static final String MAP = "forge.http.intake";

  private final long nodeBytes;
  private final long clientBytes;
  private final int connectionsPerClient;
  private final AtomicLong bytesInUse = new AtomicLong();
  private final ConcurrentHashMap<String, Long> bytesByClient = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> connectionsByPeer = new ConcurrentHashMap<>();
  final AtomicLong refusedConnections = new AtomicLong();

  private IntakeBudget(long nodeBytes, long clientBytes, int connectionsPerClient) {
    this.nodeBytes = nodeBytes;
    this.clientBytes = clientBytes;
    this.connectionsPerClient = connectionsPerClient;
  }

  static IntakeBudget of(Vertx vertx, HttpConfig config) {
    var map = vertx.sharedData().<String, IntakeBudget>getLocalMap(MAP);
    IntakeBudget fresh = new IntakeBudget(config.bodyMemoryBytes(), config.bodyMemoryPerClientBytes(),
      config.maxConnectionsPerClient());
    IntakeBudget existing = map.putIfAbsent("budget", fresh);
    return existing == null ? fresh : existing;
  }

  /** Reserves {@code n} body bytes for {@code client}; on refusal nothing is reserved. */
  Grant reserve(String client, long n) {
    if (bytesInUse.addAndGet(n) > nodeBytes) {
      bytesInUse.addAndGet(-n);
      return Grant.NODE_FULL;
    }
    boolean[] fits = {false};
    bytesByClient.compute(client, (k, held) -> {
      long now = held == null ? 0 : held;
      if (now + n > clientBytes) {
        return held;
      }
      fits[0] = true;
      return now + n;
    });
    if (!fits[0]) {
      bytesInUse.addAndGet(-n);
      return Grant.CLIENT_FULL;
    }
    return Grant.GRANTED;
  }

  void release(String client, long n) {
    if (n <= 0) {
      return;
    }
    bytesInUse.addAndGet(-n);
    bytesByClient.computeIfPresent(client, (k, held) -> held - n <= 0 ? null : held - n);
  }

  long bytesInUse() {
    return bytesInUse.get();
  }

  /** Counts a new connection from {@code peer}; false (and not counted) when the peer is at its cap. */
  boolean openConnection(String peer) {
    if (connectionsPerClient <= 0) {
      return true;
    }
    boolean[] fits = {false};
    connectionsByPeer.compute(peer, (k, open) -> {
      int now = open == null ? 0 : open;
      if (now >= connectionsPerClient) {
        return open;
      }
      fits[0] = true;
      return now + 1;
    });
    if (!fits[0]) {
      refusedConnections.incrementAndGet();
    }
    return fits[0];
  }

  void closeConnection(String peer) {
    if (connectionsPerClient > 0) {
      connectionsByPeer.computeIfPresent(peer, (k, open) -> open <= 1 ? null : open - 1);
    }
  }
}
