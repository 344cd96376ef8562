package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.outbound.BaseUrlGuard;
import dev.chrysalis.forge.outbound.HostResolver;
import dev.chrysalis.forge.outbound.OutboundConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Sends one chat call upstream and answers the client, in the HTTP verticle (chat bytes never
 * cross the event bus). Streams are translated and written event by event as they arrive, with
 * back-pressure from the client; the whole answer is never held. Timeouts: connect (504),
 * first byte (504), idle between chunks (504 before the stream began, a final error event
 * after). A client that goes away cancels the upstream request at once. A call that failed before
 * anything was written is tried again by {@link UpstreamRetry} when that can help. No upstream
 * response header reaches the client (the allow-list is empty): not {@code set-cookie}, not
 * {@code openai-organization} or {@code anthropic-organization-id}, and not the upstream's
 * {@code x-ratelimit-*} or {@code x-request-id}, which would overwrite our own. Redirects are
 * never followed. A base URL the user supplied is resolved and checked once per call (with
 * private addresses refused) and every try connects to that checked address, keeping the name
 * for the Host header, SNI and certificate check.
 *
 * <p>The returned future always succeeds with a {@link CallOutcome}; when the call failed before
 * anything was written, {@link CallOutcome#unanswered()} is the error the caller answers with.
 */
public final class ChatProxy {

  private final Vertx vertx;
  private final GatewayConfig config;
  private final HttpClient client;
  private final UpstreamRetry retry;
  private final HostResolver resolver;
  private final BaseUrlGuard guard;
  private final Map<String, ProviderAdapter> adapters = new HashMap<>();
  /** Calls in progress; touched only on this verticle's event loop. */
  private final Set<Exchange> active = new LinkedHashSet<>();
  private ServiceException ended;

  /** A stream whose client took no data this long (write queue full throughout) is ended; 0 = never. */
  private final long slowReaderTimeoutMs;

  public ChatProxy(Vertx vertx, GatewayConfig config, OutboundConfig outbound, long slowReaderTimeoutMs) {
    this.vertx = vertx;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
    this.config = config;
    this.resolver = new HostResolver(vertx, outbound);
    this.guard = new BaseUrlGuard(resolver, outbound.allowPrivateBaseUrls());
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) config.connectTimeoutMs())
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setVerifyHost(true)
        // a request pinned to a checked IP still names its host in TLS
        .setForceSni(true),
      new PoolOptions().setHttp1MaxSize(config.maxUpstreamConnections()).setMaxWaitQueueSize(10_000));
    this.retry = new UpstreamRetry(vertx, config.retry());
    for (String p : Providers.ALL) {
      adapters.put(p, ProviderAdapter.forProvider(p, config));
    }
  }

  public HttpClient client() {
    return client;
  }

  /** The connect-time check of user-supplied base URLs every outbound call of the gateway goes through. */
  BaseUrlGuard guard() {
    return guard;
  }

  GatewayConfig config() {
    return config;
  }

  /**
   * Builds the upstream request first, so a request this upstream cannot serve fails before any
   * I/O. With a null response (non-streamed calls only) the answer is returned in the outcome
   * instead of being written.
   */
  public Future<CallOutcome> call(ChatCall call, ChatGateway.Caller caller, Credentials credentials,
                                  HttpServerResponse response) {
    if (ended != null) {
      return Future.succeededFuture(new CallOutcome(ended.failureCode(), Usage.NONE,
        ended.getDebugInfo().getString("code"), false, ended));
    }
    UpstreamCall up;
    try {
      up = adapters.get(call.provider()).request(call, credentials);
    } catch (ServiceException e) {
      return Future.succeededFuture(new CallOutcome(e.failureCode(), Usage.NONE,
        e.getDebugInfo().getString("code"), false, e));
    }
    Future<BaseUrlGuard.Checked> target = credentials.userSuppliedBase() && !guard.allowPrivate()
      ? guard.check(credentials.baseUrl())
      : Future.succeededFuture(new BaseUrlGuard.Checked(credentials.baseUrl(), null, null));
    return target.transform(ar -> {
      if (ar.failed()) {
        ServiceException e = ar.cause() instanceof ServiceException se ? se
          : Errors.error(502, "upstream_unreachable", "The provider's host could not be resolved.", null);
        return Future.succeededFuture(new CallOutcome(e.failureCode(), Usage.NONE,
          e.getDebugInfo().getString("code"), false, e));
      }
      return send(call, caller, credentials, up, ar.result(), response);
    });
  }

  private Future<CallOutcome> send(ChatCall call, ChatGateway.Caller caller, Credentials credentials, UpstreamCall up,
                                   BaseUrlGuard.Checked target, HttpServerResponse response) {
    return retry.run(call.provider(), response, () -> {
      Exchange exchange = new Exchange(call, caller, credentials, up, target, response);
      return exchange.start().map(outcome -> new UpstreamRetry.Tried(outcome, exchange.connectionFailed,
        exchange.upstream == null ? 0 : exchange.upstream.statusCode(),
        exchange.upstream == null ? null : exchange.upstream.headers()));
    });
  }

  /**
   * Ends every call still in progress now, because the server is going away: a stream that began
   * gets {@code reason} as its final error event (and is billed with what it produced); a call
   * that wrote nothing yet answers {@code reason} in our error shape, and so does any call made
   * after this. Returns how many it ended. Call on this proxy's event loop.
   */
  public int endAll(ServiceException reason) {
    ended = reason;
    List<Exchange> now = List.copyOf(active);
    for (Exchange exchange : now) {
      exchange.abort(reason);
    }
    return now.size();
  }

  /**
   * Ends the calls in progress whose caller {@code which} selects, as {@link #endAll} does but
   * without refusing later calls. Returns how many it ended. Call on this proxy's event loop.
   */
  public int endCalls(Predicate<ChatGateway.Caller> which, ServiceException reason) {
    List<Exchange> now = active.stream().filter(e -> e.caller != null && which.test(e.caller)).toList();
    for (Exchange exchange : now) {
      exchange.abort(reason);
    }
    return now.size();
  }

  public Future<Void> close() {
    return client.close().eventually(resolver::close);
  }

  private final class Exchange {
    private final ChatCall call;
    private final ChatGateway.Caller caller;
    private final Credentials credentials;
    private final UpstreamCall up;
    private final BaseUrlGuard.Checked target;
    private final HttpServerResponse res;
    private final Promise<CallOutcome> promise = Promise.promise();
    private final ProviderAdapter adapter;
    private HttpClientRequest req;
    private HttpClientResponse upstream;
    private ChunkWriter writer;
    private boolean done;
    /** The client's write queue is full: upstream reading is paused until it drains. */
    private boolean paused;
    private long timerId = -1;
    private long lastActivity;
    private long limitNanos;
    private String waitingFor;
    /** The connection failed before any answer arrived (a try that may be repeated). */
    private boolean connectionFailed;

    Exchange(ChatCall call, ChatGateway.Caller caller, Credentials credentials, UpstreamCall up,
             BaseUrlGuard.Checked target, HttpServerResponse res) {
      this.call = call;
      this.caller = caller;
      this.credentials = credentials;
      this.up = up;
      this.target = target;
      this.res = res;
      this.adapter = adapters.get(call.provider());
    }

    Future<CallOutcome> start() {
      active.add(this);
      if (res != null) {
        if (res.closed()) {
          // gone while billing and the vault were asked: no upstream call at all
          failBeforeStart(Errors.error(499, "client_closed_request", "The client closed the connection.", null));
          return promise.future();
        }
        res.closeHandler(v -> clientGone());
      }
      RequestOptions options = target.pin(new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(up.url())
        .setHeaders(up.headers())
        .setConnectTimeout(config.connectTimeoutMs()));
      client.request(options).onComplete(ar -> {
        if (done) {
          if (ar.succeeded()) {
            ar.result().reset();
          }
          return;
        }
        if (ar.failed()) {
          connectionFailed = true;
          failBeforeStart(UpstreamError.transport(call.provider(), ar.cause()));
          return;
        }
        req = ar.result();
        arm(config.firstByteTimeoutMs(), "first byte");
        req.send(up.body()).onComplete(r -> {
          if (done) {
            return;
          }
          if (r.failed()) {
            connectionFailed = true;
            failBeforeStart(UpstreamError.transport(call.provider(), r.cause()));
          } else {
            onResponse(r.result());
          }
        });
      });
      return promise.future();
    }

    private void onResponse(HttpClientResponse resp) {
      upstream = resp;
      arm(config.idleTimeoutMs(), "next chunk");
      int status = resp.statusCode();
      if (status < 200 || status >= 300) {
        collect(resp, body -> failBeforeStart(UpstreamError.of(call.provider(), status, body,
          resp.getHeader("retry-after"), credentials)));
      } else if (call.stream()) {
        stream(resp);
      } else {
        collect(resp, this::answer);
      }
    }

    private void collect(HttpClientResponse resp, java.util.function.Consumer<Buffer> then) {
      Buffer body = Buffer.buffer();
      resp.handler(chunk -> {
        touch();
        if (done) {
          return;
        }
        if (body.length() + chunk.length() > config.maxResponseBytes()) {
          failBeforeStart(Errors.error(502, "upstream_response_too_large",
            "The " + call.provider() + " provider sent an answer larger than this gateway accepts.", null));
          return;
        }
        body.appendBuffer(chunk);
      });
      resp.exceptionHandler(t -> failBeforeStart(UpstreamError.transport(call.provider(), t)));
      resp.endHandler(v -> {
        if (!done) {
          then.accept(body);
        }
      });
    }

    private void answer(Buffer body) {
      JsonObject completion;
      try {
        // the id the client sees is the one the call is billed and metered under, as in streams
        completion = adapter.response(body.toJsonObject(), call).put("id", call.completionId());
      } catch (ServiceException e) {
        failBeforeStart(e);
        return;
      } catch (RuntimeException e) {
        failBeforeStart(Errors.error(502, "upstream_error",
          "The " + call.provider() + " provider sent an answer this gateway cannot read.", null));
        return;
      }
      Usage usage = Usage.fromOpenAi(completion.getJsonObject("usage"));
      finish(new CallOutcome(200, usage == null ? estimate(0) : usage, null, false, null, res == null ? completion : null));
      if (res != null) {
        res.setStatusCode(200).putHeader("content-type", "application/json").end(completion.toBuffer());
      }
    }

    private void stream(HttpClientResponse resp) {
      res.setStatusCode(200)
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("content-encoding", "identity")
        .putHeader("x-accel-buffering", "no");
      writer = new ChunkWriter(call.completionId(), call.created(), call.clientModel(), call.includeUsage(),
        call.heldOpen(), buf -> {
        if (call.tap() != null) {
          call.tap().event(buf);
        } else {
          res.write(buf);
        }
        if (res.writeQueueFull() && !paused) {
          paused = true;
          resp.pause();
          long stalled = slowReaderTimeoutMs <= 0 ? -1 : vertx.setTimer(slowReaderTimeoutMs, id -> slowReader());
          res.drainHandler(v -> {
            paused = false;
            if (stalled >= 0) {
              vertx.cancelTimer(stalled);
            }
            if (!done) {
              touch();
              resp.resume();
            }
          });
        }
      });
      StreamTranslator translator = adapter.stream(call);
      SseParser parser = new SseParser((event, data) -> translator.onEvent(event, data, writer));
      resp.handler(chunk -> {
        touch();
        if (done) {
          return;
        }
        try {
          parser.feed(chunk);
        } catch (RuntimeException e) {
          writer.fail(unreadable());
        }
        if (writer.failure() != null) {
          endStream(true);
        }
      });
      resp.exceptionHandler(t -> {
        if (!done) {
          writer.fail(Errors.error(502, "upstream_stream_broken",
            "The connection to the " + call.provider() + " provider broke during the answer.", null));
          endStream(true);
        }
      });
      resp.endHandler(v -> {
        if (done) {
          return;
        }
        try {
          parser.end();
          translator.onEnd(writer);
        } catch (RuntimeException e) {
          writer.fail(unreadable());
        }
        endStream(false);
      });
    }

    private ServiceException unreadable() {
      return Errors.error(502, "upstream_error",
        "The " + call.provider() + " provider sent a stream this gateway cannot read.", null);
    }

    private void endStream(boolean cancelUpstream) {
      ServiceException failure = writer.failure();
      Usage reported = writer.reportedUsage();
      Usage usage = failure == null && reported != null ? reported : estimate(writer.streamedChars(), reported);
      // the stream is written out before anyone hears the outcome: a held stream's owner writes next
      writer.close(usage);
      finish(new CallOutcome(failure == null ? 200 : failure.failureCode(), usage,
        failure == null ? null : failure.getDebugInfo().getString("code"), false, null, writer.answer(usage)));
      if (cancelUpstream && req != null) {
        req.reset();
      }
      if (!call.heldOpen()) {
        res.end();
      }
    }

    private void failBeforeStart(ServiceException e) {
      if (done) {
        return;
      }
      finish(new CallOutcome(e.failureCode(), Usage.NONE, e.getDebugInfo().getString("code"), false, e));
      if (req != null) {
        req.reset();
      }
    }

    void abort(ServiceException reason) {
      if (done) {
        return;
      }
      if (writer != null) {
        writer.fail(reason);
        endStream(true);
      } else {
        failBeforeStart(reason);
      }
    }

    /**
     * The client has taken nothing for {@code slowReaderTimeoutMs} while the answer waits for it:
     * the upstream connection goes back to the pool, the client connection is closed (nothing more
     * can reach it in order), and what was produced is billed.
     */
    private void slowReader() {
      if (done || !paused) {
        return;
      }
      long chars = writer == null ? 0 : writer.streamedChars();
      Usage usage = estimate(chars, writer == null ? null : writer.reportedUsage());
      finish(new CallOutcome(408, usage, "slow_reader", true, null, writer == null ? null : writer.answer(usage)));
      if (req != null) {
        req.reset();
      }
      res.reset();
    }

    /** The client closed the connection: stop the upstream work now and bill what was produced. */
    private void clientGone() {
      if (done) {
        return;
      }
      long chars = writer == null ? 0 : writer.streamedChars();
      Usage reported = writer == null ? null : writer.reportedUsage();
      Usage usage = estimate(chars, reported);
      finish(new CallOutcome(499, usage, "client_closed_request", true, null,
        writer == null ? null : writer.answer(usage)));
      if (req != null) {
        req.reset();
      }
    }

    private void finish(CallOutcome outcome) {
      done = true;
      active.remove(this);
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      promise.tryComplete(outcome);
    }

    private Usage estimate(long streamedChars) {
      return estimate(streamedChars, null);
    }

    /** Prompt tokens from the upstream when it said them, else from the prompt text; output from what was streamed. */
    private Usage estimate(long streamedChars, Usage partial) {
      long prompt = partial != null && partial.promptTokens() > 0 ? partial.promptTokens() : promptTokenEstimate(call);
      long completion = Math.max(partial == null ? 0 : partial.completionTokens(), Usage.estimateTokens(streamedChars));
      return new Usage(prompt, completion, partial == null ? 0 : partial.cachedTokens(), true);
    }

    private void arm(long ms, String what) {
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
      waitingFor = what;
      limitNanos = ms * 1_000_000L;
      lastActivity = System.nanoTime();
      timerId = vertx.setTimer(ms, id -> check());
    }

    private void touch() {
      lastActivity = System.nanoTime();
    }

    /** Timers are not re-armed per chunk: when one fires early relative to the last activity it is pushed back. */
    private void check() {
      timerId = -1;
      if (done) {
        return;
      }
      long idle = System.nanoTime() - lastActivity;
      if (idle < limitNanos) {
        timerId = vertx.setTimer(Math.max(1, (limitNanos - idle) / 1_000_000L), id -> check());
        return;
      }
      ServiceException timeout = Errors.error(504, "upstream_timeout",
        "The " + call.provider() + " provider did not send the " + waitingFor + " in time.", null);
      if (writer != null) {
        writer.fail(timeout);
        endStream(true);
      } else {
        failBeforeStart(timeout);
      }
    }
  }

  /** About four characters per token over the text of every message. */
  public static long promptTokenEstimate(ChatCall call) {
    long chars = 0;
    JsonArray messages = call.body().getJsonArray("messages", new JsonArray());
    for (Object o : messages) {
      if (o instanceof JsonObject m) {
        chars += OpenAiMessages.text(m.getValue("content")).length() + 4;
      }
    }
    return Usage.estimateTokens(chars);
  }
}
