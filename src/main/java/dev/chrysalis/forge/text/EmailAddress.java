package dev.chrysalis.forge.text;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The one rule for email addresses, used wherever an address is stored, looked up or compared
 * (registration, sign-in, password reset, invites, operator addresses): spaces of every kind
 * trimmed, NFKC-normalised and case-folded, so a fullwidth {@code ｃarol}, an NFD {@code caról}, a
 * trailing NBSP or U+3000 and {@code CAROL} are all the same account. Refused (null): any hidden
 * character (see {@link VisibleText}; joiners included) or space inside the address, anything but
 * exactly one {@code @} with a non-empty part on each side and a dot in the domain, and a local
 * part or domain that mixes scripts ({@code cаrol} with a Cyrillic {@code а}); Han, Hiragana,
 * Katakana, Hangul and Bopomofo count as one script. Linear in the length, no regular expression.
 */
public final class EmailAddress {

  public static final int MAX_LENGTH = 254;

  private EmailAddress() {
  }

  /** The canonical form of an address, or null when the rule refuses it. */
  public static String normalize(String raw) {
    if (raw == null || raw.length() > MAX_LENGTH * 4) {
      return null;
    }
    String s = VisibleText.trim(raw);
    s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    s = Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
    if (s.isEmpty() || s.length() > MAX_LENGTH) {
      return null;
    }
    int at = -1;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (VisibleText.hidden(cp) || VisibleText.isSpace(cp) || cp == 0x200C || cp == 0x200D) {
        return null;
      }
      if (cp == '@') {
        if (at >= 0) {
          return null;
        }
        at = i;
      }
      i += Character.charCount(cp);
    }
    if (at <= 0 || at == s.length() - 1) {
      return null;
    }
    String domain = s.substring(at + 1);
    int dot = domain.indexOf('.');
    if (dot <= 0 || domain.endsWith(".") || domain.contains("..")) {
      return null;
    }
    if (mixesScripts(s.substring(0, at)) || mixesScripts(domain)) {
      return null;
    }
    return s;
  }

  private static boolean mixesScripts(String part) {
    UnicodeScript seen = null;
    for (int i = 0; i < part.length(); ) {
      int cp = part.codePointAt(i);
      i += Character.charCount(cp);
      UnicodeScript script = group(UnicodeScript.of(cp));
      if (script == UnicodeScript.COMMON || script == UnicodeScript.INHERITED) {
        continue;
      }
      if (seen == null) {
        seen = script;
      } else if (seen != script) {
        return true;
      }
    }
    return false;
  }

  private static UnicodeScript group(UnicodeScript s) {
    return switch (s) {
      case HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> UnicodeScript.HAN;
      default -> s;
    };
  }
}
