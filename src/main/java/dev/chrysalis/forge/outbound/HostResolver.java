package dev.chrysalis.forge.outbound;

import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every address a host name resolves to, asked once per outbound call. With configured DNS
 * servers the A and AAAA records come from them (the first server that answers); otherwise the
 * system resolver answers on a worker thread. An IP literal is its own answer. An empty list
 * means the name does not resolve.
 */
public final class HostResolver {

  private final Vertx vertx;
  private final List<DnsClient> clients = new ArrayList<>();

  public HostResolver(Vertx vertx, OutboundConfig config) {
    this.vertx = vertx;
    for (String server : config.dnsServers()) {
      clients.add(vertx.createDnsClient(new DnsClientOptions()
        .setHost(OutboundConfig.hostOf(server)).setPort(OutboundConfig.portOf(server))
        .setQueryTimeout(config.dnsTimeoutMs()).setRecursionDesired(true)));
    }
  }

  /** A resolver that asks the system resolver. */
  public static HostResolver system(Vertx vertx) {
    return new HostResolver(vertx, new OutboundConfig(false, List.of(), 5_000));
  }

  public Future<List<InetAddress>> resolveAll(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)) {
      byte[] raw = NetUtil.createByteArrayFromIpAddressString(bare);
      try {
        return Future.succeededFuture(List.of(InetAddress.getByAddress(raw)));
      } catch (UnknownHostException e) {
        return Future.succeededFuture(List.of());
      }
    }
    if (clients.isEmpty()) {
      return vertx.executeBlocking(() -> {
        try {
          return List.of(InetAddress.getAllByName(bare));
        } catch (UnknownHostException e) {
          return List.<InetAddress>of();
        }
      }, false);
    }
    return ask(0, bare);
  }

  private Future<List<InetAddress>> ask(int index, String name) {
    DnsClient client = clients.get(index);
    Future<List<String>> v4 = client.resolveA(name).recover(t -> Future.succeededFuture(List.of()));
    Future<List<String>> v6 = client.resolveAAAA(name).recover(t -> Future.succeededFuture(List.of()));
    return Future.all(v4, v6).compose(all -> {
      List<InetAddress> out = new ArrayList<>();
      for (List<String> list : List.of(v4.result(), v6.result())) {
        for (String a : list) {
          byte[] raw = NetUtil.createByteArrayFromIpAddressString(a);
          if (raw == null) {
            continue;
          }
          try {
            out.add(InetAddress.getByAddress(name, raw));
          } catch (UnknownHostException ignored) {
            // not an address
          }
        }
      }
      if (out.isEmpty() && index + 1 < clients.size()) {
        return ask(index + 1, name);
      }
      return Future.succeededFuture(out);
    });
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(c -> closing.add(c.close()));
    return Future.all(closing).mapEmpty();
  }
}
