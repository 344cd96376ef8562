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

  /** Autumn did not answer, was overloaded or failing (no answer, 408, 429, 5xx): a resend can succeed. */
  boolean transientFailure() {
    return status == 0 || status == 408 || status == 429 || status >= 500;
  }

  /**
   * A refusal a later resend of the same call can cure: {@code customer_not_found} (the customer
   * row may still be pending) and {@code invalid_inputs}, which Autumn also answers for a
   * {@code timestamp} later than its own clock.
   */
  boolean curableRefusal() {
    return "customer_not_found".equals(code) || (status == 400 && "invalid_inputs".equals(code));
  }

  /** Autumn did not answer or is failing: callers fall back to the local view. */
  boolean unavailable() {
    return status == 0 || status == 429 || status >= 500;
  }

  /**
   * Autumn's answer to a repeated Idempotency-Key ({@code 409 duplicate_idempotency_key}). Any
   * other 409 is a refusal like the rest.
   */
  boolean duplicateKey() {
    return status == 409 && "duplicate_idempotency_key".equals(code);
  }

  /** Did not answer within the client's timeout or the connection failed: the call may still have been applied. */
  boolean noAnswer() {
    return status == 0;
  }

  /** Short description for logs and the outbox's last_error (never a key or a body). */
  String summary() {
    return status == 0 ? "unreachable: " + getMessage() : status + " " + code;
  }
}
