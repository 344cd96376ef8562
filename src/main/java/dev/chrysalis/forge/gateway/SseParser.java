package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Incremental server-sent-events parser over raw upstream bytes. Lines end in LF, CRLF or CR;
 * an event ends at a blank line; {@code event:} names it, {@code data:} lines are joined with
 * LF, {@code :} comments and other fields are ignored. A line that starts with '{' or '[' outside
 * any field is taken as one whole event (newline-delimited JSON, as Cohere answers without
 * {@code Accept: text/event-stream}). Lines are decoded only when complete, so a multi-byte
 * character split across network chunks is never broken.
 */
public final class SseParser {

  /** Receives each complete event. */
  public interface Listener {
    void onEvent(String event, String data);
  }

  private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

  private final Listener listener;
  private byte[] pending = new byte[0];
  private int pendingLength;
  private boolean lastWasCr;
  private String event;
  private StringBuilder data;

  public SseParser(Listener listener) {
    this.listener = listener;
  }

  public void feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    int lineStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastWasCr && i == lineStart && pendingLength == 0) {
        // the LF of a CRLF whose CR ended the previous chunk or line
        lastWasCr = false;
        lineStart = i + 1;
        continue;
      }
      if (b == '\n' || b == '\r') {
        line(bytes, lineStart, i);
        lastWasCr = b == '\r';
        if (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
          i++;
          lastWasCr = false;
        }
        lineStart = i + 1;
      } else {
        lastWasCr = false;
      }
    }
    if (lineStart < bytes.length) {
      append(bytes, lineStart, bytes.length);
    }
  }

  /** The body ended: dispatch an event that lacked its closing blank line. */
  public void end() {
    if (pendingLength > 0) {
      line(new byte[0], 0, 0);
    }
    dispatch();
  }

  private void append(byte[] bytes, int from, int to) {
    int n = to - from;
    if (pendingLength + n > MAX_EVENT_BYTES) {
      throw new IllegalStateException("upstream event larger than " + MAX_EVENT_BYTES + " bytes");
    }
    if (pendingLength + n > pending.length) {
      byte[] bigger = new byte[Math.max(pending.length * 2, pendingLength + n)];
      System.arraycopy(pending, 0, bigger, 0, pendingLength);
      pending = bigger;
    }
    System.arraycopy(bytes, from, pending, pendingLength, n);
    pendingLength += n;
  }

  private void line(byte[] bytes, int from, int to) {
    String line;
    if (pendingLength > 0) {
      append(bytes, from, to);
      line = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
      pendingLength = 0;
    } else {
      line = new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    char first = line.charAt(0);
    if (first == ':') {
      return;
    }
    if ((first == '{' || first == '[') && data == null && event == null) {
      listener.onEvent(null, line);
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("data")) {
      if (data == null) {
        data = new StringBuilder(value);
      } else {
        data.append('\n').append(value);
      }
    } else if (field.equals("event")) {
      event = value;
    }
  }

  private void dispatch() {
    if (data != null) {
      String e = event;
      String d = data.toString();
      event = null;
      data = null;
      listener.onEvent(e, d);
    } else {
      event = null;
    }
  }
}
