package dev.chrysalis.forge.auth;

import io.netty.util.NetUtil;

/**
 * The network a login comes from, as the login throttle counts it: an IPv4 address's /24, an
 * IPv6 address's /64 (the smallest block one subscriber usually holds; an IPv4-mapped address
 * counts as IPv4). Parsing never resolves names; anything that is not an address literal is
 * {@code "unknown"}, one shared network.
 */
final class ClientNetwork {

  private ClientNetwork() {
  }

  static String of(String ip) {
    byte[] a = ip == null ? null : NetUtil.createByteArrayFromIpAddressString(ip.trim());
    if (a == null) {
      return "unknown";
    }
    if (a.length == 16 && isV4Mapped(a)) {
      return v4(a[12], a[13], a[14]);
    }
    if (a.length == 4) {
      return v4(a[0], a[1], a[2]);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
    }
    return sb.append(":/64").toString();
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static String v4(byte b0, byte b1, byte b2) {
    return (b0 & 0xff) + "." + (b1 & 0xff) + "." + (b2 & 0xff) + ".0/24";
  }
}
