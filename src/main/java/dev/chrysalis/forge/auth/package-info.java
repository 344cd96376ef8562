/**
 * Accounts and credentials: users, passwords, JWTs and API keys. Owns the {@code users},
 * {@code api_keys} and {@code login_failures} tables and serves {@link dev.chrysalis.forge.auth.AuthService}
 * on {@code forge.auth}.
 */
@ModuleGen(name = "forge-auth", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.auth;

import io.vertx.codegen.annotations.ModuleGen;
