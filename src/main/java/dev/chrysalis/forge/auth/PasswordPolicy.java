package dev.chrysalis.forge.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Length limits and the shipped common-password blocklist; no composition rules (ASVS 6.2.x).
 * Returns the reason a password is refused, or null when it is acceptable.
 */
public final class PasswordPolicy {

  public static final int MAX_LENGTH = 1024;
  private static final Set<String> COMMON = load();

  private final int minLength;

  public PasswordPolicy(int minLength) {
    this.minLength = minLength;
  }

  public String problem(String password) {
    if (password == null) {
      return "password is required";
    }
    int length = password.codePointCount(0, password.length());
    if (length < minLength) {
      return "password must be at least " + minLength + " characters";
    }
    if (length > MAX_LENGTH) {
      return "password must be at most " + MAX_LENGTH + " characters";
    }
    if (COMMON.contains(password.toLowerCase(Locale.ROOT))) {
      return "password is too common; choose another";
    }
    return null;
  }

  private static Set<String> load() {
    Set<String> out = new HashSet<>();
    try (InputStream in = PasswordPolicy.class.getClassLoader().getResourceAsStream("auth/common-passwords.txt")) {
      if (in == null) {
        throw new IllegalStateException("auth/common-passwords.txt missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String l = line.trim();
        if (!l.isEmpty() && !l.startsWith("#")) {
          out.add(l.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(out);
  }
}
