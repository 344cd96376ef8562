package dev.chrysalis.forge.vault;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VaultCryptoTest {

  private static final String AAD = VaultCrypto.aad("user", "usr_a", "openai", "pk_1");

  private static byte[] key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  private static String flip(String stored, int index) {
    String prefix = stored.substring(0, stored.indexOf(':') + 1);
    byte[] raw = Base64.getDecoder().decode(stored.substring(prefix.length()));
    raw[index] ^= 0x01;
    return prefix + Base64.getEncoder().encodeToString(raw);
  }

  @Test
  void roundTripWithAFreshNonceEachTime() {
    VaultCrypto crypto = VaultCrypto.of(Map.of(1, key()), 1);
    String plaintext = "sk-roundtrip-0123456789abcdef";
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String sealed = crypto.encrypt(plaintext, AAD);
      assertThat(sealed).startsWith("v1:").doesNotContain(plaintext);
      assertThat(crypto.decrypt(sealed, AAD)).isEqualTo(plaintext);
      assertThat(seen.add(sealed.substring(3, 19))).as("nonce reused").isTrue();
    }
    byte[] raw = Base64.getDecoder().decode(crypto.encrypt(plaintext, AAD).substring(3));
    assertThat(raw).hasSize(12 + plaintext.getBytes(StandardCharsets.UTF_8).length + 16);
  }

  @Test
  void tamperingWithAnyByteOfNonceCiphertextOrTagIsRejected() {
    VaultCrypto crypto = VaultCrypto.of(Map.of(1, key()), 1);
    String sealed = crypto.encrypt("sk-tamper-me-please", AAD);
    int length = Base64.getDecoder().decode(sealed.substring(3)).length;
    for (int i = 0; i < length; i++) {
      String bad = flip(sealed, i);
      assertThatThrownBy(() -> crypto.decrypt(bad, AAD)).as("byte %d", i)
        .isInstanceOf(VaultCrypto.VaultCryptoException.class);
    }
    assertThatThrownBy(() -> crypto.decrypt(sealed.substring(0, sealed.length() - 8), AAD))
      .isInstanceOf(VaultCrypto.VaultCryptoException.class);
    assertThatThrownBy(() -> crypto.decrypt("v1:AAAA", AAD)).isInstanceOf(VaultCrypto.VaultCryptoException.class);
    assertThatThrownBy(() -> crypto.decrypt("v1:not base64!", AAD)).isInstanceOf(VaultCrypto.VaultCryptoException.class);
    assertThatThrownBy(() -> crypto.decrypt("garbage", AAD)).isInstanceOf(VaultCrypto.VaultCryptoException.class);
  }

  @Test
  void aCiphertextMovedToAnotherOwnerProviderOrRowIsRejected() {
    VaultCrypto crypto = VaultCrypto.of(Map.of(1, key()), 1);
    String sealed = crypto.encrypt("sk-bound", AAD);
    for (String other : new String[] {
      VaultCrypto.aad("user", "usr_b", "openai", "pk_1"),
      VaultCrypto.aad("org", "usr_a", "openai", "pk_1"),
      VaultCrypto.aad("user", "usr_a", "mistral", "pk_1"),
      VaultCrypto.aad("user", "usr_a", "openai", "pk_2")}) {
      assertThatThrownBy(() -> crypto.decrypt(sealed, other)).as(other)
        .isInstanceOf(VaultCrypto.VaultCryptoException.class).hasMessageContaining("authentication failed");
    }
  }

  @Test
  void rotationNewestEncryptsEveryListedVersionDecrypts() {
    byte[] k1 = key();
    byte[] k2 = key();
    VaultCrypto old = VaultCrypto.of(Map.of(1, k1), 1);
    VaultCrypto both = VaultCrypto.of(Map.of(1, k1, 2, k2), 2);
    VaultCrypto onlyNew = VaultCrypto.of(Map.of(2, k2), 2);
    String v1 = old.encrypt("sk-rotate", AAD);
    assertThat(both.decrypt(v1, AAD)).isEqualTo("sk-rotate");
    String v2 = both.encrypt(both.decrypt(v1, AAD), AAD);
    assertThat(v2).startsWith("v2:");
    assertThat(onlyNew.decrypt(v2, AAD)).isEqualTo("sk-rotate");
    assertThatThrownBy(() -> onlyNew.decrypt(v1, AAD)).hasMessageContaining("version 1 is not configured");
    // a ciphertext relabelled with another version does not open either
    assertThatThrownBy(() -> both.decrypt("v2:" + v1.substring(3), AAD)).isInstanceOf(VaultCrypto.VaultCryptoException.class);
  }

  @Test
  void hkdfDerivesAStableKeyPerSecret() {
    byte[] a = VaultCrypto.deriveFromSecret("secret-one-0123456789abcdef-0123456789".getBytes(StandardCharsets.UTF_8));
    byte[] a2 = VaultCrypto.deriveFromSecret("secret-one-0123456789abcdef-0123456789".getBytes(StandardCharsets.UTF_8));
    byte[] b = VaultCrypto.deriveFromSecret("secret-two-0123456789abcdef-0123456789".getBytes(StandardCharsets.UTF_8));
    assertThat(a).hasSize(32).isEqualTo(a2).isNotEqualTo(b);
    assertThat(a).isNotEqualTo("secret-one-0123456789abcdef-0123456789".substring(0, 32).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void vaultKeysConfiguration() {
    String secret = "test-secret-key-0123456789abcdef-0123456789";
    String k1 = Base64.getEncoder().encodeToString(key());
    String k2 = Base64.getEncoder().encodeToString(key());
    assertThat(VaultConfig.crypto("", secret, false).currentVersion()).isEqualTo(VaultCrypto.DERIVED_VERSION);
    VaultCrypto listed = VaultConfig.crypto("1:" + k1 + ", 2:" + k2, secret, true);
    assertThat(listed.currentVersion()).isEqualTo(2);
    assertThat(listed.knows(1)).isTrue();
    assertThat(listed.knows(VaultCrypto.DERIVED_VERSION)).as("derived key stays readable for migration").isTrue();
    assertThat(VaultConfig.crypto("3:" + k1, "", true).currentVersion()).isEqualTo(3);
    assertThatThrownBy(() -> VaultConfig.crypto("", "", true)).hasMessageContaining("production");
    assertThatThrownBy(() -> VaultConfig.crypto("1:" + Base64.getEncoder().encodeToString(new byte[16]), secret, false))
      .hasMessageContaining("32 bytes").hasMessageNotContaining("AAAA");
    assertThatThrownBy(() -> VaultConfig.crypto("1:" + k1 + ",1:" + k2, secret, false)).hasMessageContaining("twice");
    assertThatThrownBy(() -> VaultConfig.crypto("0:" + k1, secret, false)).hasMessageContaining("start at 1");
    assertThatThrownBy(() -> VaultConfig.crypto("x:" + k1, secret, false)).hasMessageContaining("not a number");
    assertThatThrownBy(() -> VaultConfig.crypto(k1, secret, false)).hasMessageContaining("<version>:");
    assertThatThrownBy(() -> VaultConfig.crypto("1:***", secret, false)).hasMessageContaining("base64");
  }

  @Test
  void privateBaseUrlsDefaultByEnvironment() {
    assertThat(dev.chrysalis.forge.outbound.OutboundConfig.allowPrivate("", false)).isTrue();
    assertThat(dev.chrysalis.forge.outbound.OutboundConfig.allowPrivate("", true)).isFalse();
    assertThat(dev.chrysalis.forge.outbound.OutboundConfig.allowPrivate("true", true)).isTrue();
    assertThat(dev.chrysalis.forge.outbound.OutboundConfig.allowPrivate("FALSE", false)).isFalse();
    assertThatThrownBy(() -> dev.chrysalis.forge.outbound.OutboundConfig.allowPrivate("maybe", false)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hintsShowOnlyTheLastFourOfLongKeys() {
    assertThat(VaultServiceImpl.hint("sk-abcdefghijkl1234")).isEqualTo("...1234");
    assertThat(VaultServiceImpl.hint("ollama")).isEqualTo("...");
  }
}
