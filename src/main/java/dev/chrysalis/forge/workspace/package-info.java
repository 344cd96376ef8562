/**
 * Organizations, members and invites, projects, threads (relations, context trees), chat sessions
 * and the audit log. Owns the tables of {@code V2__workspace.sql} and serves
 * {@link dev.chrysalis.forge.workspace.WorkspaceService} on {@code forge.workspace}.
 */
@ModuleGen(name = "forge-workspace", groupPackage = "dev.chrysalis.forge")
package dev.chrysalis.forge.workspace;

import io.vertx.codegen.annotations.ModuleGen;
