package dev.chrysalis.forge.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * PBKDF2-HMAC-SHA256 password hashes, stored self-describing as
 * {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}. Blocking: call from a worker.
 */
public final class PasswordHasher {

  public static final int DEFAULT_ITERATIONS = 600_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int KEY_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int iterations;

  public PasswordHasher(int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("PBKDF2 iterations must be positive");
    }
    this.iterations = iterations;
  }

  public int iterations() {
    return iterations;
  }

  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] key = derive(password, salt, iterations);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
  }

  /** Constant-time check of a password against a stored hash; false for a malformed hash. */
  public boolean verify(String password, String stored) {
    String[] parts = stored == null ? new String[0] : stored.split("\\$");
    if (parts.length != 4 || !SCHEME.equals(parts[0])) {
      return false;
    }
    try {
      int storedIterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      byte[] actual = derive(password, salt, storedIterations);
      return MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** True when the stored hash was made with other parameters than the current policy. */
  public boolean needsRehash(String stored) {
    String[] parts = stored.split("\\$");
    return parts.length != 4 || !SCHEME.equals(parts[0]) || !String.valueOf(iterations).equals(parts[1]);
  }

  /** Spends the same work as a real verification, for logins with an unknown email. */
  public void burn(String password) {
    derive(password, new byte[SALT_BYTES], iterations);
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    } finally {
      spec.clearPassword();
    }
  }
}
