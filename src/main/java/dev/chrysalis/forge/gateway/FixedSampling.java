package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.catalog.CatalogModel;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Claude models refuse the client's sampling settings: those released after Claude Opus 4.6
 * answer 400 to any temperature other than 1, any top_p below 0.99 and any top_k (the Anthropic
 * SDK's documentation of the Messages API). The catalog says it per model
 * ({@code fixed_sampling}); a model the catalog does not settle goes by its name: a
 * {@code claude-<family>-<major>[-<minor>]} version above 4.6 ({@code claude-opus-4-7},
 * {@code claude-sonnet-5}) is fixed; 4.6 and older, the {@code claude-3-…} naming, and names without
 * a readable version keep the client's settings, so an unexpected refusal shows as the upstream's
 * 400 rather than as settings silently dropped.
 */
final class FixedSampling {

  private static final Pattern VERSIONED =
    Pattern.compile("^claude-(?:opus|sonnet|haiku)-(\\d{1,2})(?:[-.](\\d{1,2}))?(?![0-9])");

  private FixedSampling() {
  }

  static boolean of(String upstreamModel, CatalogModel entry) {
    if (entry != null && entry.fixedSampling() != null) {
      return entry.fixedSampling();
    }
    if (upstreamModel == null) {
      return false;
    }
    Matcher m = VERSIONED.matcher(upstreamModel.toLowerCase(Locale.ROOT));
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    return major > 4 || (major == 4 && minor > 6);
  }
}
