package dev.chrysalis.forge.logging;

/**
 * Makes client-chosen text safe for a log line: control characters (CR, LF, TAB, the rest of
 * C0, DEL and the C1 range) and the Unicode line and paragraph separators become visible escapes
 * ({@code \n}, {@code \u001b}), so no value can end a line and forge the next; backslashes are
 * doubled so an escape in the input cannot pass for one of ours. Linear, no pattern.
 */
public final class LogText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogText() {
  }

  /** The text escaped; null stays null. */
  public static String escape(String s) {
    if (s == null) {
      return null;
    }
    int i = 0;
    while (i < s.length() && !special(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (special(c)) {
            out.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
              .append(HEX[c & 15]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** Escaped and cut to {@code max} characters (before escaping), marked with an ellipsis when cut. */
  public static String bounded(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? escape(s) : escape(s.substring(0, max)) + "…";
  }

  private static boolean special(char c) {
    return c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
