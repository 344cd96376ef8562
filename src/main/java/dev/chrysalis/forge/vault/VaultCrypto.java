package dev.chrysalis.forge.vault;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * AES-256-GCM for provider keys. Ciphertext text form: {@code v<version>:<base64(nonce|ct|tag)>},
 * a fresh random 96-bit nonce per encryption, 128-bit tag. The associated data binds a ciphertext
 * to its owner, provider and row ({@link #aad}), so one copied elsewhere does not decrypt.
 * The newest key version encrypts; every listed version decrypts. Thread-safe.
 */
public final class VaultCrypto {

  public static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;
  /** Version given to the key derived from CHRYSALIS_SECRET_KEY; explicit versions start at 1. */
  public static final int DERIVED_VERSION = 0;
  private static final byte[] HKDF_SALT = "chrysalis-forge/vault/salt".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HKDF_INFO = "chrysalis-forge/vault/provider-keys/aes-256-gcm/v1".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<Integer, SecretKeySpec> keys;
  private final int current;

  private VaultCrypto(Map<Integer, SecretKeySpec> keys, int current) {
    this.keys = keys;
    this.current = current;
  }

  /**
   * @param keys    version → 32-byte key; every one decrypts
   * @param current the version that encrypts (must be in {@code keys})
   */
  public static VaultCrypto of(Map<Integer, byte[]> keys, int current) {
    TreeMap<Integer, SecretKeySpec> specs = new TreeMap<>();
    keys.forEach((v, k) -> {
      if (k.length != KEY_BYTES) {
        throw new IllegalArgumentException("vault key version " + v + " is not " + KEY_BYTES + " bytes");
      }
      specs.put(v, new SecretKeySpec(k.clone(), "AES"));
    });
    if (!specs.containsKey(current)) {
      throw new IllegalArgumentException("vault key version " + current + " is not configured");
    }
    return new VaultCrypto(Collections.unmodifiableMap(specs), current);
  }

  /** HKDF-SHA256 of the service secret with a fixed salt and context label: 32 bytes. */
  public static byte[] deriveFromSecret(byte[] secret) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(secret, HKDF_SALT, HKDF_INFO));
    byte[] out = new byte[KEY_BYTES];
    hkdf.generateBytes(out, 0, out.length);
    return out;
  }

  /** Associated data of one row: {@code <user|org>:<owner id>:<provider>:<record id>}. */
  public static String aad(String ownerKind, String ownerId, String provider, String recordId) {
    return ownerKind + ":" + ownerId + ":" + provider + ":" + recordId;
  }

  public int currentVersion() {
    return current;
  }

  public boolean knows(int version) {
    return keys.containsKey(version);
  }

  public String encrypt(String plaintext, String aad) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(current), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return "v" + current + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e.getClass().getSimpleName());
    }
  }

  /** @throws VaultCryptoException when the text is malformed, its version unknown, or it fails authentication */
  public String decrypt(String stored, String aad) {
    int version = versionOf(stored);
    SecretKeySpec key = keys.get(version);
    if (key == null) {
      throw new VaultCryptoException("key version " + version + " is not configured");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(stored.substring(stored.indexOf(':') + 1));
    } catch (IllegalArgumentException e) {
      throw new VaultCryptoException("ciphertext is not base64");
    }
    if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new VaultCryptoException("ciphertext is too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new VaultCryptoException("authentication failed (tampered, moved or wrong key)");
    } catch (GeneralSecurityException e) {
      throw new VaultCryptoException("decryption failed: " + e.getClass().getSimpleName());
    }
  }

  /** The version prefix of a stored ciphertext. */
  public static int versionOf(String stored) {
    if (stored == null || stored.length() < 3 || stored.charAt(0) != 'v') {
      throw new VaultCryptoException("ciphertext has no version prefix");
    }
    int colon = stored.indexOf(':');
    if (colon < 2 || colon > 11) {
      throw new VaultCryptoException("ciphertext has no version prefix");
    }
    try {
      return Integer.parseInt(stored.substring(1, colon));
    } catch (NumberFormatException e) {
      throw new VaultCryptoException("ciphertext has no version prefix");
    }
  }

  /** A stored key could not be decrypted; the message never contains key material. */
  public static final class VaultCryptoException extends RuntimeException {
    public VaultCryptoException(String message) {
      super(message, null, false, false);
    }
  }
}
