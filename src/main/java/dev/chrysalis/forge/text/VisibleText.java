package dev.chrysalis.forge.text;

import java.lang.Character.UnicodeScript;

/**
 * The rule for text other users see (display names, org and project names, thread and session
 * titles, API key names): no character that shows nothing or reorders what follows, so two
 * names that look the same are the same text and a name cannot make the text around it read
 * differently. Refused: control characters, line and paragraph separators, bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), every other format character
 * (zero-width space, word joiner, BOM, soft hyphen, tag characters, …), the invisible fillers
 * (U+034F, U+115F, U+1160, U+17B4, U+17B5, U+3164, U+FFA0) and spaces other than U+0020 inside
 * the text. The joiners U+200C and U+200D are kept where a script needs them: between two
 * characters neither of which is a space or Latin, Greek or Cyrillic (Persian, Indic scripts,
 * emoji sequences). Every check walks the string once.
 */
public final class VisibleText {

  private VisibleText() {
  }

  /** Leading and trailing spaces of any kind removed (U+00A0, U+3000, … included). */
  public static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** Whether a (trimmed) name holds a character the rule refuses. */
  public static boolean hasHidden(String s) {
    int i = 0;
    int previous = -1;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (cp == 0x200C || cp == 0x200D) {
        if (previous < 0 || next >= s.length() || !joinable(previous) || !joinable(s.codePointAt(next))) {
          return true;
        }
      } else if (hidden(cp) || (cp != ' ' && isSpace(cp))) {
        return true;
      }
      previous = cp;
      i = next;
    }
    return false;
  }

  /** Whether a code point shows nothing or is a control; spaces are not included. */
  static boolean hidden(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
      || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE
      || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 || cp == 0x3164 || cp == 0xFFA0;
  }

  static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  private static boolean joinable(int cp) {
    if (isSpace(cp) || hidden(cp) || cp == 0x200C || cp == 0x200D) {
      return false;
    }
    UnicodeScript script = UnicodeScript.of(cp);
    return script != UnicodeScript.LATIN && script != UnicodeScript.GREEK && script != UnicodeScript.CYRILLIC;
  }
}
