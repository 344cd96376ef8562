package dev.chrysalis.forge.auth;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API key material: {@code chs_} + 43 base62 characters (256 random bits), looked up by its
 * first 12 characters and stored as HMAC-SHA256 under a pepper derived from the secret key, so a
 * leaked table alone cannot confirm a guess.
 */
public final class ApiKeys {

  public static final String PREFIX = "chs_";
  public static final int LOOKUP_PREFIX_LENGTH = 12;
  private static final int RANDOM_CHARS = 43;
  private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PEPPER_LABEL = "chrysalis-forge api-key pepper v1".getBytes(StandardCharsets.UTF_8);

  private final byte[] pepper;

  public ApiKeys(byte[] secretKey) {
    this.pepper = hkdf(secretKey, PEPPER_LABEL, 32);
  }

  public static String generate() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
    }
    return sb.toString();
  }

  /** Whether a string has the shape of one of our keys (cheap check before any lookup). */
  public static boolean looksValid(String key) {
    if (key == null || key.length() != PREFIX.length() + RANDOM_CHARS || !key.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return false;
      }
    }
    return true;
  }

  public static String lookupPrefix(String key) {
    return key.substring(0, LOOKUP_PREFIX_LENGTH);
  }

  public String hash(String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] hkdf(byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
    gen.init(new HKDFParameters(ikm, null, info));
    byte[] out = new byte[length];
    gen.generateBytes(out, 0, length);
    return out;
  }
}
