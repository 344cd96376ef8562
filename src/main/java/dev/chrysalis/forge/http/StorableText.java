package dev.chrysalis.forge.http;

/**
 * The one rule for text a request may carry: PostgreSQL cannot store the NUL character in
 * {@code text} or {@code jsonb}, and an unpaired UTF-16 surrogate has no UTF-8 encoding, so both are
 * refused at the edge instead of failing in the database.
 */
final class StorableText {

  private StorableText() {
  }

  /** Why {@code s} cannot be stored, or null when it can. */
  static String problem(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      // one comparison for the common case: neither NUL nor in the surrogate block U+D800..U+DFFF
      if (c != 0 && (char) (c - 0xD800) >= 0x800) {
        continue;
      }
      if (c == 0) {
        return "the NUL character (U+0000) is not allowed";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return unpaired(c);
      }
      if (Character.isLowSurrogate(c)) {
        return unpaired(c);
      }
    }
    return null;
  }

  /** {@code s} with NUL and lone surrogates written as {@code \\uXXXX}, for naming a field in a message. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1));
      if (pairedHigh) {
        sb.append(c).append(s.charAt(++i));
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String unpaired(char c) {
    return String.format("an unpaired surrogate (U+%04X) is not valid Unicode text", (int) c);
  }
}
