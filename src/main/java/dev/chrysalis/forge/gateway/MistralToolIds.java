package dev.chrysalis.forge.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Mistral accepts only tool-call ids of exactly nine letters and digits (400 otherwise), while
 * ids from other providers or SDKs look like {@code call_…} or {@code toolu_…}. Any other id is
 * replaced by nine base62 characters of its SHA-256, so an assistant's {@code tool_calls[].id} and
 * the tool message's {@code tool_call_id} still match, and a conversation sent again later maps
 * the same way. Ids Mistral itself produced are valid and stay as they are.
 */
final class MistralToolIds {

  static final Pattern VALID = Pattern.compile("[a-zA-Z0-9]{9}");
  private static final char[] BASE62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private MistralToolIds() {
  }

  static String of(String id) {
    if (id == null || VALID.matcher(id).matches()) {
      return id;
    }
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    // 8 bytes = 64 bits, more than the 53.6 bits nine base62 characters hold
    long n = 0;
    for (int i = 0; i < 8; i++) {
      n = (n << 8) | (hash[i] & 0xff);
    }
    char[] out = new char[9];
    for (int i = 0; i < 9; i++) {
      out[i] = BASE62[(int) Long.remainderUnsigned(n, 62)];
      n = Long.divideUnsigned(n, 62);
    }
    return new String(out);
  }
}
