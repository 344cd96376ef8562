package dev.chrysalis.forge.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The subject of a per-IP limit: the IPv4 address, or the /64 of an IPv6 address (one client
 * usually owns a whole /64, so limiting single IPv6 addresses would limit nothing).
 */
final class ClientSubnets {

  private ClientSubnets() {
  }

  static String subject(String ip) {
    if (ip.indexOf(':') < 0) {
      return ip;
    }
    try {
      // a literal (it contains ':'), so this never resolves a name
      InetAddress a = InetAddress.getByName(ip.startsWith("[") ? ip.substring(1, ip.indexOf(']')) : ip);
      if (!(a instanceof Inet6Address)) {
        return a.getHostAddress();
      }
      byte[] b = a.getAddress();
      StringBuilder sb = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return sb.append(":/64").toString();
    } catch (Exception e) {
      return ip;
    }
  }
}
