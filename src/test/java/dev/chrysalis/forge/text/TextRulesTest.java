package dev.chrysalis.forge.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextRulesTest {

  @Test
  void addressesHaveOneCanonicalForm() {
    assertThat(EmailAddress.normalize("  Carol@Example.COM\u00A0")).isEqualTo("carol@example.com");
    assertThat(EmailAddress.normalize("\uFF43\uFF41rol@example.com")).isEqualTo("carol@example.com");
    assertThat(EmailAddress.normalize("caro\u0301l@example.com")).isEqualTo("car\u00F3l@example.com");
    assertThat(EmailAddress.normalize("\u5C71\u7530\u3084\u307E\u3060@example.jp")).isNotNull();
    assertThat(EmailAddress.normalize("ops@example.com")).isEqualTo("ops@example.com");
  }

  @Test
  void addressesTheRuleRefuses() {
    for (String bad : new String[] {null, "", "   ", "carol", "@example.com", "carol@", "carol@example", "carol@example.",
      "carol@@example.com", "a@b@example.com", "car ol@example.com", "carol@exa..mple.com", "carol\u200B@example.com",
      "c\u0430rol@example.com", "carol@\u0435xample.com", "carol\u202E@example.com", "carol@example.com\u0000",
      "carol\u2028@example.com", "a".repeat(250) + "@example.com", "a@" + ".".repeat(16_000) + "@"}) {
      assertThat(EmailAddress.normalize(bad)).as(String.valueOf(bad)).isNull();
    }
  }

  @Test
  void namesWithHiddenCharactersAreRefused() {
    for (String bad : new String[] {"a\u200Bb", "a\u202Eb", "a\u2066b\u2069", "a\u00A0b", "a\u3000b", "a\u200Db", "\u200Dab",
      "a\u200C", "\u3164", "a\u115Fb", "a\uFEFFb", "a\u00ADb", "a\u2028b", "a\tb", "\uD800", "a\uDB40\uDC41b"}) {
      assertThat(VisibleText.hasHidden(bad)).as(bad).isTrue();
    }
    for (String fine : new String[] {"Acme Corp", "Zoë", "\u0645\u06CC\u200C\u062E", "\uD83D\uDC69\u200D\uD83D\uDCBB",
      "\u0915\u094D\u200D\u0937", "\u2764\uFE0F", "", "a".repeat(10_000)}) {
      assertThat(VisibleText.hasHidden(fine)).as(fine).isFalse();
    }
    assertThat(VisibleText.trim("\u3000\u00A0 Acme \u2007\u202F")).isEqualTo("Acme");
    assertThat(VisibleText.trim("\u00A0")).isEmpty();
  }
}
