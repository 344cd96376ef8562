package dev.chrysalis.forge.http;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies are read only once a route has decided to serve the request (after
 * authentication and the rate limit), within a size limit, a memory budget per node and per
 * client address, and a deadline.
 *
 * <p>{@link #gate()} runs first on every request that announces a body: it pauses the request so
 * nothing is read while the request is authenticated and counted. (Vert.x's authentication
 * handlers resume a request when they finish, so a chunk that slips through then is held and the
 * request paused again; at most one decoder chunk per request.) {@link #reader} reads the body for
 * an operation. A request answered without its body being read (unknown route, refused
 * credentials, rate limited, too large) has the rest of its body discarded as it arrives, never
 * stored, and its connection closed if the body has not ended within the deadline.
 */
final class BodyIntake {

  private static final String KEY = "forge.body.intake";

  private final Vertx vertx;
  private final IntakeBudget budget;
  private final long deadlineMs;
  private final Metrics metrics;

  BodyIntake(Vertx vertx, IntakeBudget budget, long deadlineMs) {
    this.vertx = vertx;
    this.budget = budget;
    this.deadlineMs = deadlineMs;
    this.metrics = Metrics.of(vertx);
  }

  Handler<RoutingContext> gate() {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      if (announcesBody(request)) {
        Intake intake = new Intake(ctx);
        ctx.put(KEY, intake);
        request.pause();
        request.handler(intake::chunk);
        request.endHandler(v -> intake.ended());
        request.exceptionHandler(t -> intake.broken());
        ctx.addEndHandler(v -> intake.answered());
      }
      ctx.next();
    };
  }

  /** Reads the body for an operation, up to {@code limit} bytes, then continues the route. */
  Handler<RoutingContext> reader(long limit) {
    return ctx -> {
      Intake intake = ctx.get(KEY);
      if (intake == null) {
        setBody(ctx, Buffer.buffer());
        ctx.next();
      } else {
        intake.read(limit);
      }
    };
  }

  private static boolean announcesBody(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      return true;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !"0".equals(length.trim()));
  }

  private static void setBody(RoutingContext ctx, Buffer body) {
    RoutingContextInternal internal = (RoutingContextInternal) ctx;
    internal.setBody(body);
    internal.visitHandler(RoutingContextInternal.BODY_HANDLER);
  }

  private enum State { HOLDING, READING, DONE, DISCARDING }

  /** One request's body, from the gate to its end. Event-loop confined. */
  private final class Intake {
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private State state = State.HOLDING;
    private List<Buffer> held = new ArrayList<>(1);
    private boolean ended;
    private Buffer body;
    private long limit;
    private long declared = -1;
    private long reserved;
    private long timer = -1;
    private String client;

    Intake(RoutingContext ctx) {
      this.ctx = ctx;
      this.request = ctx.request();
    }

    void chunk(Buffer chunk) {
      switch (state) {
        case HOLDING -> {
          held.add(chunk);
          request.pause();
        }
        case READING -> take(chunk);
        default -> {
          // DISCARDING: dropped as it arrives; DONE cannot receive more
        }
      }
    }

    void ended() {
      ended = true;
      if (state == State.READING) {
        complete();
      } else if (state == State.DISCARDING) {
        cancelTimer();
      }
    }

    void broken() {
      cancelTimer();
      releaseAll();
    }

    void read(long limit) {
      this.limit = limit;
      this.client = ClientIp.block(RequestLog.clientIp(ctx));
      String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        try {
          declared = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
          declared = -1;
        }
      }
      if (declared > limit) {
        tooLarge();
        return;
      }
      long first = declared >= 0 ? declared : heldBytes();
      if (!reserve(first)) {
        return;
      }
      state = State.READING;
      body = Buffer.buffer((int) Math.min(Math.max(first, 256), 64 * 1024));
      List<Buffer> early = held;
      held = null;
      for (Buffer chunk : early) {
        if (state != State.READING) {
          return;
        }
        append(chunk);
      }
      if (state != State.READING) {
        return;
      }
      if (ended) {
        complete();
        return;
      }
      startDeadline();
      if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT)) && request.version() != HttpVersion.HTTP_1_0) {
        ctx.response().writeContinue();
      }
      request.resume();
    }

    private void take(Buffer chunk) {
      if (declared < 0 && !reserve(chunk.length())) {
        return;
      }
      append(chunk);
    }

    /** Appends a chunk whose bytes are already reserved. */
    private void append(Buffer chunk) {
      if (body.length() + (long) chunk.length() > limit || (declared >= 0 && body.length() + (long) chunk.length() > declared)) {
        tooLarge();
        return;
      }
      body.appendBuffer(chunk);
    }

    private long heldBytes() {
      long n = 0;
      for (Buffer b : held) {
        n += b.length();
      }
      return n;
    }

    private boolean reserve(long n) {
      if (n <= 0) {
        return true;
      }
      IntakeBudget.Grant grant = budget.reserve(client, n);
      if (grant == IntakeBudget.Grant.GRANTED) {
        reserved += n;
        return true;
      }
      if (grant == IntakeBudget.Grant.CLIENT_FULL) {
        refuse("client_budget");
        ctx.response().putHeader("retry-after", "1");
        var error = ApiError.body(429, "too_many_bodies_in_flight",
          "Too many request bodies are being received from your address at once; retry when earlier requests have finished.",
          null);
        error.getJsonObject("error").put("retry_after", 1L);
        ApiError.send(ctx, 429, error);
      } else {
        refuse("node_budget");
        ctx.response().putHeader("retry-after", "1");
        ApiError.send(ctx, 503, "server_busy",
          "The server is receiving as many request bodies as it can hold; retry shortly.", null);
      }
      return false;
    }

    private void tooLarge() {
      refuse("too_large");
      ApiError.send(ctx, 413, "request_too_large",
        "The request body is larger than this operation accepts (" + limit + " bytes).", null);
    }

    private void late() {
      refuse("deadline");
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ApiError.send(ctx, 408, "body_timeout",
        "The request body did not arrive within " + deadlineMs + " ms.", null);
      request.connection().close();
    }

    private void refuse(String reason) {
      state = State.DISCARDING;
      body = null;
      releaseAll();
      metrics.increment(Metrics.HTTP_BODIES_REFUSED, "reason", reason);
    }

    private void complete() {
      state = State.DONE;
      cancelTimer();
      Buffer done = body;
      body = null;
      releaseAll();
      setBody(ctx, done);
      ctx.next();
    }

    /** The response has ended (or the connection closed): whatever of the body is still coming is discarded. */
    void answered() {
      releaseAll();
      held = null;
      body = null;
      if (state == State.DONE || ended) {
        cancelTimer();
        return;
      }
      state = State.DISCARDING;
      if (timer < 0) {
        startDeadline();
      }
      request.resume();
    }

    /** One deadline per body, from when reading (or discarding) began. */
    private void startDeadline() {
      timer = vertx.setTimer(deadlineMs, t -> {
        timer = -1;
        if (state == State.READING) {
          late();
        } else if (state == State.DISCARDING && !ended) {
          request.connection().close();
        }
      });
    }

    private void releaseAll() {
      if (reserved > 0) {
        budget.release(client, reserved);
        reserved = 0;
      }
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
