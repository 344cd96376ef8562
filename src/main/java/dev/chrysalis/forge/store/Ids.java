package dev.chrysalis.forge.store;

import java.security.SecureRandom;

/** Prefixed random identifiers generated in Java ({@code usr_…}, {@code key_…}, {@code org_…}). */
public final class Ids {

  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {
  }

  /** {@code prefix_} followed by 20 base36 characters (about 103 random bits). */
  public static String next(String prefix) {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return prefix + "_" + new String(out);
  }
}
