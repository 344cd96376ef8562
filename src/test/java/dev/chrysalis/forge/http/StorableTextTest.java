package dev.chrysalis.forge.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StorableTextTest {

  @Test
  void ordinaryTextEmojiAndCombiningMarksAreStorable() {
    assertThat(StorableText.problem("")).isNull();
    assertThat(StorableText.problem("Café \u0301 \u202e \uD83D\uDE00 日本")).isNull();
  }

  @Test
  void nulAnywhereIsRefused() {
    assertThat(StorableText.problem("\u0000")).contains("NUL");
    assertThat(StorableText.problem("abc\u0000")).contains("NUL");
  }

  @Test
  void unpairedSurrogatesAreRefusedWhereverTheyStand() {
    assertThat(StorableText.problem("\uD800")).contains("U+D800");
    assertThat(StorableText.problem("a\uDC00b")).contains("U+DC00");
    assertThat(StorableText.problem("\uD83D\uDE00\uD83D")).contains("U+D83D");
    assertThat(StorableText.problem("\uDE00\uD83D")).contains("U+DE00");
  }

  @Test
  void printableEscapesWhatItRefusesAndKeepsPairs() {
    assertThat(StorableText.printable("a\u0000b\uD800\uD83D\uDE00")).isEqualTo("a\\u0000b\\ud800\uD83D\uDE00");
  }
}
