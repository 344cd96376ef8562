package dev.chrysalis.forge.catalog;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What the catalog answers for one requested model name. {@code id} is the canonical name billing
 * keys on: the family id of a listed model, {@code provider/name} (lower case) of an unlisted one.
 * {@code upstreamName} is the name sent to the provider (the client's, without the provider prefix;
 * the family id when the client only changed its case). {@code entry} is null for unlisted names,
 * which carry the price and tier of the provider's fallback (its most expensive, or the $0 an
 * operator configured for a self-hosted provider).
 */
public record ResolvedModel(String requested, String id, String provider, String upstreamName, CatalogModel entry,
                           String tier, double inputPrice, double outputPrice) {

  public static final String OTHER = "other";
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  public boolean listed() {
    return entry != null;
  }

  public boolean advanced() {
    return CatalogModel.ADVANCED.equals(tier);
  }

  /** A bounded label for metrics: the family id of a listed model, {@value #OTHER} otherwise. */
  public String label() {
    return entry == null ? OTHER : entry.id();
  }

  /** The price of a call in USD, 8 decimals: the only place a cost is computed. */
  public BigDecimal cost(long inputTokens, long outputTokens) {
    return BigDecimal.valueOf(Math.max(0, inputTokens)).multiply(BigDecimal.valueOf(inputPrice))
      .add(BigDecimal.valueOf(Math.max(0, outputTokens)).multiply(BigDecimal.valueOf(outputPrice)))
      .divide(MILLION, 8, RoundingMode.HALF_UP);
  }
}
