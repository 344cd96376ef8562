package dev.chrysalis.forge.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hasher at the production policy (600,000 iterations), as the design asks. */
class PasswordHasherTest {

  private final PasswordHasher hasher = new PasswordHasher(PasswordHasher.DEFAULT_ITERATIONS);

  @Test
  void hashIsSelfDescribingSaltedAndVerifies() {
    String a = hasher.hash("correct horse battery staple");
    String b = hasher.hash("correct horse battery staple");
    assertThat(a).startsWith("pbkdf2-sha256$600000$");
    String[] parts = a.split("\\$");
    assertThat(java.util.Base64.getDecoder().decode(parts[2])).hasSize(16);
    assertThat(java.util.Base64.getDecoder().decode(parts[3])).hasSize(32);
    assertThat(a).isNotEqualTo(b);
    assertThat(hasher.verify("correct horse battery staple", a)).isTrue();
    assertThat(hasher.verify("correct horse battery stapl", a)).isFalse();
    assertThat(hasher.needsRehash(a)).isFalse();
  }

  @Test
  void oldPolicyHashesVerifyAndAskForARehash() {
    String old = new PasswordHasher(1000).hash("another password here");
    assertThat(hasher.verify("another password here", old)).isTrue();
    assertThat(hasher.needsRehash(old)).isTrue();
  }

  @Test
  void malformedStoredHashesNeverVerify() {
    for (String bad : new String[]{"", "plain", "pbkdf2-sha256$x$y$z", "bcrypt$10$abc$def", "pbkdf2-sha256$1000$!!$!!"}) {
      assertThat(hasher.verify("anything", bad)).isFalse();
    }
  }

  @Test
  void policyRefusesShortLongAndCommonPasswordsOnly() {
    PasswordPolicy policy = new PasswordPolicy(8);
    assertThat(policy.problem("short")).contains("at least 8");
    assertThat(policy.problem("x".repeat(1025))).contains("at most 1024");
    assertThat(policy.problem("PASSWORD123")).contains("too common");
    assertThat(policy.problem("qwertyuiop")).contains("too common");
    assertThat(policy.problem("alllowercaseisfine")).isNull();
    assertThat(policy.problem("😀😀😀😀😀😀😀😀")).isNull();
  }
}
