package dev.chrysalis.forge.billing;

/**
 * A failed Autumn call: {@code status} 0 when Autumn did not answer (connect failure, timeout),
 * otherwise its HTTP status with its error {@code code}.
 */
final class AutumnException extends RuntimeException {

  private final int status;
  private final String code;

  AutumnException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** Worth trying again later: no answer, 429, 5xx (as Autumn's own SDK), or a customer not created yet. */
  boolean retryable() {
    return status == 0 || status == 429 || status >= 500 || "customer_not_found".equals(code);
  }

  /** Autumn did not answer or is failing: callers fall back to the local view. */
  boolean unavailable() {
    return status == 0 || status == 429 || status >= 500;
  }

  /** A repeated Idempotency-Key: the call was already applied. */
  boolean alreadyApplied() {
    return status == 409;
  }

  /** Short description for logs and the outbox's last_error (never a key or a body). */
  String summary() {
    return status == 0 ? "unreachable: " + getMessage() : status + " " + code;
  }
}
