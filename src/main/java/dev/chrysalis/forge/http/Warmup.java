package dev.chrysalis.forge.http;

import dev.chrysalis.forge.gateway.ChatBodyCheck;
import dev.chrysalis.forge.gateway.ChatRequestCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lazy initialisation of the request path, done at start on a worker thread before the
 * server listens, so the first calls after "listening" do not pay for it on an event loop:
 * Netty's pooled allocator registers its flight-recorder events with its first chunk (loading the
 * JFR metadata, seconds on a busy machine), every request schema's validator is built (the
 * validators are cached per schema, built on first use), and the chat body's parse, checks and
 * encoding run often enough to be loaded, linked and compiled by the first JIT tier.
 */
final class Warmup {

  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** Enough calls for the JIT's first tier (C1 compiles a method after some 1,500 invocations with loops). */
  private static final int ROUNDS = 2_000;
  private static final Buffer CHAT = Buffer.buffer("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"max_tokens\":64,"
    + "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
    + "[{\"type\":\"text\",\"text\":\"Say hello.\"}]}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

  private Warmup() {
  }

  static Future<Void> run(Vertx vertx, OpenAPIContract contract) {
    long start = System.nanoTime();
    return vertx.<Void>executeBlocking(() -> {
      ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(16 * 1024);
      buf.release();
      SchemaRepository schemas = contract.getSchemaRepository();
      for (Operation op : contract.operations()) {
        for (Parameter p : op.getParameters()) {
          touch(schemas, p.getSchema());
        }
        if (op.getRequestBody() != null) {
          for (MediaType m : op.getRequestBody().getContent().values()) {
            touch(schemas, m.getSchema());
          }
        }
      }
      for (int i = 0; i < ROUNDS; i++) {
        JsonObject body = ChatBodyCheck.parse(CHAT);
        ChatRequestCheck.check(body);
        body.toBuffer();
      }
      return null;
    }, false).onSuccess(v -> LOG.info("request path warmed in {} ms", (System.nanoTime() - start) / 1_000_000));
  }

  /** Builds the schema's validator (cached by the repository) and runs it once. */
  private static void touch(SchemaRepository schemas, JsonSchema schema) {
    if (schema == null) {
      return;
    }
    Validator v = schemas.validator(schema);
    try {
      v.validate(new JsonObject());
    } catch (RuntimeException expected) {
      // an empty object is not valid for most schemas: only the validator's own loading matters here
    }
  }
}
