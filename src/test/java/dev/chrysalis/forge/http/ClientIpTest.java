package dev.chrysalis.forge.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientIpTest {

  @Test
  void trustsOnlyConfiguredProxiesAndRanges() {
    ClientIp ip = new ClientIp("10.0.0.0/8, 192.168.1.7, ::1");
    assertThat(ip.isTrusted("10.1.2.3")).isTrue();
    assertThat(ip.isTrusted("11.1.2.3")).isFalse();
    assertThat(ip.isTrusted("192.168.1.7")).isTrue();
    assertThat(ip.isTrusted("192.168.1.8")).isFalse();
    assertThat(ip.isTrusted("::1")).isTrue();
    assertThat(ip.isTrusted("example.com")).isFalse();
  }

  @Test
  void refusesGarbageInTheSetting() {
    assertThatThrownBy(() -> new ClientIp("not-an-ip")).hasMessageContaining("CHRYSALIS_TRUSTED_PROXIES");
    assertThatThrownBy(() -> new ClientIp("10.0.0.0/33")).hasMessageContaining("prefix");
  }

  @Test
  void oneIpv6SubscriberBlockCountsAsOneClient() {
    assertThat(ClientIp.block("2001:db8:1:2::1")).isEqualTo(ClientIp.block("2001:db8:1:2:ffff::9"));
    assertThat(ClientIp.block("2001:db8:1:3::1")).isNotEqualTo(ClientIp.block("2001:db8:1:2::1"));
    assertThat(ClientIp.block("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(ClientIp.block("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}
