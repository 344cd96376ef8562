package dev.chrysalis.forge.testing;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plaintext provider keys the tests hand to the service. Every one carries the marker
 * {@value #MARKER} and is remembered, so {@link KeyLeakAppender} and the database-dump checks can
 * look for all of them.
 */
public final class PlaintextKeys {

  public static final String MARKER = "PLAINTEXT";
  private static final List<String> ALL = new CopyOnWriteArrayList<>();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private PlaintextKeys() {
  }

  /** A new key such as {@code sk-PLAINTEXTx8Kq…} (prefix chosen by the provider's format). */
  public static String fresh(String prefix) {
    StringBuilder sb = new StringBuilder(prefix).append(MARKER);
    for (int i = 0; i < 32; i++) {
      sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    String key = sb.toString();
    ALL.add(key);
    return key;
  }

  public static List<String> all() {
    return List.copyOf(ALL);
  }
}
