package dev.chrysalis.forge.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Answers, in our error shape, requests the HTTP decoder refused before any route saw them: a
 * request line or head over the size limits, or a header holding a character HTTP forbids (NUL
 * among them, so such text never reaches a handler). The server closes the connection afterwards.
 */
final class MalformedRequests {

  private static final Logger ACCESS = LoggerFactory.getLogger("forge.access");

  private MalformedRequests() {
  }

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    int status;
    String code;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      code = "uri_too_long";
      message = "The request line is longer than this server accepts.";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      code = "headers_too_large";
      message = "The request headers are larger than this server accepts.";
    } else {
      status = 400;
      code = "malformed_request";
      message = "The request is not valid HTTP: a header may hold a character HTTP does not allow (NUL or another control character).";
    }
    String id = "req_" + UUID.randomUUID();
    request.response().putHeader("x-request-id", id);
    ApiError.send(request.response(), status, ApiError.body(status, code, message, null));
    ACCESS.info("{} - {} 0ms id={} user=-", request.method(), status, id);
  }
}
