package dev.chrysalis.forge.outbound;

import io.vertx.core.Vertx;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseUrlGuardTest {

  private static final Vertx VERTX = Vertx.vertx();

  @AfterAll
  static void close() {
    VERTX.close();
  }

  @Test
  void forbiddenAddressRanges() throws Exception {
    String[] forbidden = {"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1",
      "169.254.169.254", "0.0.0.0", "100.64.0.1", "100.127.255.254", "198.18.0.1", "224.0.0.1", "255.255.255.255",
      "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe",
      "::127.0.0.1"};
    for (String a : forbidden) {
      assertThat(BaseUrlGuard.isForbidden(InetAddress.getByName(a))).as(a).isTrue();
    }
    String[] allowed = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "64:ff9b::808:808"};
    for (String a : allowed) {
      assertThat(BaseUrlGuard.isForbidden(InetAddress.getByName(a))).as(a).isFalse();
    }
  }

  @Test
  void resolvesHostnamesOffTheEventLoopAndChecksEveryAddress() throws Exception {
    BaseUrlGuard strict = new BaseUrlGuard(VERTX, false);
    assertThatThrownBy(() -> strict.check("http://localhost:9/v1").await(10, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ServiceException.class,
        e -> assertThat(e.getDebugInfo().getString("code")).isEqualTo("base_url_not_allowed"));
    assertThatThrownBy(() -> strict.check("http://no-such-host.invalid/v1").await(10, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ServiceException.class,
        e -> assertThat(e.getDebugInfo().getString("code")).isEqualTo("base_url_unresolvable"));
    BaseUrlGuard.Checked ok = strict.check("https://8.8.8.8/v1/").await(10, TimeUnit.SECONDS);
    assertThat(ok.url()).isEqualTo("https://8.8.8.8/v1");
    assertThat(ok.pinned().getHostAddress()).isEqualTo("8.8.8.8");

    BaseUrlGuard relaxed = new BaseUrlGuard(VERTX, true);
    assertThat(relaxed.check("http://localhost:11434").await(10, TimeUnit.SECONDS).pinned()).isNull();
  }
}
