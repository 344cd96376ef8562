/**
 * Plans, feature gates, exact daily message quotas, the usage ledger and the Autumn integration
 * (with an outbox). Owns the {@code billing_*}, {@code usage_events} and {@code usage_daily} tables
 * and serves {@link dev.chrysalis.forge.billing.BillingService} on {@code forge.billing}.
 */
@ModuleGen(name = "forge-billing", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.billing;

import io.vertx.codegen.annotations.ModuleGen;
