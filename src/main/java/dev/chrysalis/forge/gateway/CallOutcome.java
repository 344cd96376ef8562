package dev.chrysalis.forge.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.math.BigDecimal;

/**
 * How one gateway call ended, for the caller, the call log and billing: the status the upstream
 * exchange amounts to (a stream may have shown 200 and then an error event), the usage (reported
 * or estimated), our error code if any, whether the client went away first, and — when nothing
 * was written to the client yet — the error the caller must still answer with. {@code completion}
 * is the answer itself when the call was made without a client response (thread chat), or, for a
 * held stream ({@link ChatCall#heldOpen()}), what was streamed before the stream ended for
 * whatever reason (null when the client left before the upstream answered). {@code cost}: what
 * billing priced the call at once it recorded its usage (the ledger's figure), null for a call
 * that was not billed.
 */
public record CallOutcome(int status, Usage usage, String errorCode, boolean clientCancelled,
                          ServiceException unanswered, JsonObject completion, Future<BigDecimal> cost) {

  public CallOutcome(int status, Usage usage, String errorCode, boolean clientCancelled, ServiceException unanswered,
                     JsonObject completion) {
    this(status, usage, errorCode, clientCancelled, unanswered, completion, null);
  }

  public CallOutcome(int status, Usage usage, String errorCode, boolean clientCancelled, ServiceException unanswered) {
    this(status, usage, errorCode, clientCancelled, unanswered, null);
  }

  public CallOutcome withCost(Future<BigDecimal> cost) {
    return new CallOutcome(status, usage, errorCode, clientCancelled, unanswered, completion, cost);
  }

  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
