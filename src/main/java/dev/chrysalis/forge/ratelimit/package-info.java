/**
 * Rate limiting: per-user limits by plan tier and per-IP limits on public operations, with an
 * in-process backend (GCRA windows, day counters in PostgreSQL) and a Redis backend (one Lua
 * script per check). Owns the {@code rate_limit_days} table and serves
 * {@link dev.chrysalis.forge.ratelimit.RateLimitService} on {@code forge.ratelimit}.
 */
@ModuleGen(name = "forge-ratelimit", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.ratelimit;

import io.vertx.codegen.annotations.ModuleGen;
