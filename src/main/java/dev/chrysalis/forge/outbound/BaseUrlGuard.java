package dev.chrysalis.forge.outbound;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a user-supplied provider base URL: http(s), a host, no credentials, query or fragment;
 * and, when private URLs are not allowed, that every address the host resolves to is public
 * (not loopback, private, link-local, metadata, CGNAT, unique-local, multicast or unspecified).
 * It runs for every outbound connection to such a URL, not only when the URL is stored: the
 * caller connects to the address checked here ({@link Checked#pin}), so a name that resolves
 * differently later (DNS rebinding) cannot steer the connection.
 */
public final class BaseUrlGuard {

  public static final int MAX_LENGTH = 2048;
  private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal",
    "metadata.goog", "instance-data", "instance-data.ec2.internal");

  /** A URL that passed; {@code pinned} is the address checked (null when private URLs are allowed). */
  public record Checked(String url, String host, InetAddress pinned) {

    /**
     * Points the request at the checked address while the URL (and so the Host header, TLS SNI and
     * certificate host name) keeps the original name; redirects are not followed.
     */
    public RequestOptions pin(RequestOptions options) {
      options.setFollowRedirects(false);
      if (pinned != null) {
        URI uri = URI.create(url);
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        options.setServer(SocketAddress.inetSocketAddress(port, pinned.getHostAddress()));
      }
      return options;
    }
  }

  private final HostResolver resolver;
  private final boolean allowPrivate;

  public BaseUrlGuard(HostResolver resolver, boolean allowPrivate) {
    this.resolver = resolver;
    this.allowPrivate = allowPrivate;
  }

  /** A guard asking the system resolver. */
  public BaseUrlGuard(Vertx vertx, boolean allowPrivate) {
    this(HostResolver.system(vertx), allowPrivate);
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /** The URL as stored: trailing slashes dropped, null stays null. */
  public static String stripSlash(String url) {
    if (url == null) {
      return null;
    }
    String s = url.trim();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  public Future<Checked> check(String raw) {
    URI uri;
    String url = stripSlash(raw);
    try {
      if (url == null || url.isEmpty() || url.length() > MAX_LENGTH) {
        throw new URISyntaxException(String.valueOf(url), "empty or too long");
      }
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Errors.badRequest("invalid_base_url", "base_url is not a valid URL.", "base_url");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Errors.badRequest("invalid_base_url", "base_url must start with http:// or https://.", "base_url");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return Errors.badRequest("invalid_base_url", "base_url must name a host.", "base_url");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return Errors.badRequest("invalid_base_url",
        "base_url must not contain credentials, a query or a fragment.", "base_url");
    }
    if (allowPrivate) {
      return Future.succeededFuture(new Checked(url, host, null));
    }
    String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (METADATA_HOSTS.contains(bareHost.toLowerCase(Locale.ROOT))) {
      return refused();
    }
    return resolver.resolveAll(bareHost)
      .compose(addresses -> {
        if (addresses.isEmpty()) {
          return Errors.badRequest("base_url_unresolvable", "The host of base_url does not resolve.", "base_url");
        }
        for (InetAddress a : addresses) {
          if (isForbidden(a)) {
            return refused();
          }
        }
        return Future.succeededFuture(new Checked(url, host, addresses.get(0)));
      });
  }

  private static <T> Future<T> refused() {
    return Errors.badRequest("base_url_not_allowed", "base_url points at a private, loopback, link-local or "
      + "metadata address, which this server does not allow.", "base_url");
  }

  /** True for every address a provider base must not point at when private URLs are refused. */
  public static boolean isForbidden(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
      || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int o0 = b[0] & 0xff;
      int o1 = b[1] & 0xff;
      return o0 == 0                                  // 0.0.0.0/8
        || (o0 == 100 && o1 >= 64 && o1 <= 127)       // 100.64.0.0/10 carrier-grade NAT
        || (o0 == 192 && o1 == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
        || (o0 == 198 && (o1 == 18 || o1 == 19))      // 198.18.0.0/15 benchmarking
        || o0 >= 240;                                 // reserved and broadcast
    }
    if (a instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {                   // fc00::/7 unique local (includes fd00:ec2::254)
        return true;
      }
      if ((first == 0xfe) && ((b[1] & 0xc0) == 0xc0)) { // fec0::/10 old site-local
        return true;
      }
      boolean nat64 = first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
      boolean compat = true;
      for (int i = 0; i < 12; i++) {
        compat &= b[i] == 0;
      }
      if (nat64 || compat) {                          // an IPv4 address inside IPv6: judge the IPv4 one
        try {
          return isForbidden(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }
}
