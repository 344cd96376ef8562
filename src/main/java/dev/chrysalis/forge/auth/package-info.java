/**
 * Accounts and credentials: users, passwords, JWTs and API keys. Owns the {@code users},
 * {@code api_keys}, {@code email_tokens} and {@code login_throttle} tables and serves {@link dev.chrysalis.forge.auth.AuthService}
 * on {@code forge.auth}.
 */
@ModuleGen(name = "forge-auth", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.auth;

import io.vertx.codegen.annotations.ModuleGen;
