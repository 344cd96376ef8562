package dev.chrysalis.forge.http;

import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's IP: the socket peer, or, when the peer is a trusted proxy, the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy. Proxies are IPs or CIDR ranges.
 */
public final class ClientIp {

  private record Range(byte[] network, int bits) {
  }

  private final List<Range> trusted;

  public ClientIp(String trustedProxies) {
    List<Range> ranges = new ArrayList<>();
    if (trustedProxies != null) {
      for (String raw : trustedProxies.split(",")) {
        String s = raw.trim();
        if (!s.isEmpty()) {
          ranges.add(parse(s));
        }
      }
    }
    this.trusted = List.copyOf(ranges);
  }

  public String of(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return peer;
    }
    String xff = request.getHeader("x-forwarded-for");
    if (xff == null || xff.isBlank()) {
      return peer;
    }
    String[] hops = xff.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty()) {
        continue;
      }
      if (!isTrusted(hop)) {
        return literal(hop) ? hop : peer;
      }
    }
    return peer;
  }

  /**
   * The block a budget or cap counts as one client: an IPv4 address, or the /64 of an IPv6
   * address (one subscriber usually holds a whole /64, so counting single IPv6 addresses would
   * cap nothing). The rate limiter and the login throttle apply the same rule in their packages.
   */
  static String block(String ip) {
    byte[] a = ip == null ? null : io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
    if (a == null || a.length == 4) {
      return ip;
    }
    boolean v4Mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    for (int i = 0; i < 10 && v4Mapped; i++) {
      v4Mapped = a[i] == 0;
    }
    if (v4Mapped) {
      return (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
    }
    StringBuilder sb = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
    }
    return sb.append(":/64").toString();
  }

  boolean isTrusted(String ip) {
    byte[] addr = toBytes(ip);
    if (addr == null) {
      return false;
    }
    for (Range r : trusted) {
      if (r.network.length == addr.length && matches(r, addr)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Range r, byte[] addr) {
    int full = r.bits / 8;
    for (int i = 0; i < full; i++) {
      if (r.network[i] != addr[i]) {
        return false;
      }
    }
    int rest = r.bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (r.network[full] & mask) == (addr[full] & mask);
  }

  private static Range parse(String s) {
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    byte[] net = toBytes(host);
    if (net == null) {
      throw new IllegalArgumentException("CHRYSALIS_TRUSTED_PROXIES: not an IP address or CIDR: " + s);
    }
    int bits = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
    if (bits < 0 || bits > net.length * 8) {
      throw new IllegalArgumentException("CHRYSALIS_TRUSTED_PROXIES: bad prefix length in " + s);
    }
    return new Range(net, bits);
  }

  /** Parses only IP literals (never resolves a name). */
  private static byte[] toBytes(String ip) {
    if (!literal(ip)) {
      return null;
    }
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean literal(String ip) {
    if (ip == null || ip.isEmpty() || ip.length() > 45) {
      return false;
    }
    if (ip.indexOf(':') >= 0) {
      return ip.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    return ip.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') && ip.split("\\.", -1).length == 4;
  }
}
