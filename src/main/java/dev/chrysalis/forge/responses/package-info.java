/**
 * The Responses API ({@code /v1/responses}): requests translated onto the gateway's chat call
 * (same authentication, limits, billing, vault and usage as chat, every provider), answers and
 * stream events in OpenAI's Responses shape, and stored responses. Owns the {@code responses}
 * table and serves {@link dev.chrysalis.forge.responses.ResponseService} on {@code forge.responses}.
 */
@ModuleGen(name = "forge-responses", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.responses;

import io.vertx.codegen.annotations.ModuleGen;
