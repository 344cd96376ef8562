/**
 * Bring-your-own-key provider vault: AES-256-GCM encrypted provider keys, rotation, resolution
 * for the gateway, live validation. Owns the {@code provider_keys} table and serves
 * {@link dev.chrysalis.forge.vault.VaultService} on {@code forge.vault} (local consumer only).
 */
@ModuleGen(name = "forge-vault", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.vault;

import io.vertx.codegen.annotations.ModuleGen;
