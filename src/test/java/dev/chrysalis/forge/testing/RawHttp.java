package dev.chrysalis.forge.testing;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte by byte on a plain socket, for requests an HTTP client library refuses to
 * send (NUL in a header, a body announced and never sent, a connection held open).
 */
public final class RawHttp implements AutoCloseable {

  public record Response(int status, Map<String, String> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  public RawHttp(String baseUrl, int readTimeoutMs) throws IOException {
    this(baseUrl, readTimeoutMs, null);
  }

  /**
   * A connection from {@code localAddress} (another loopback address such as 127.0.0.7), so a
   * test has a client address of its own.
   */
  public RawHttp(String baseUrl, int readTimeoutMs, String localAddress) throws IOException {
    URI uri = URI.create(baseUrl);
    socket = new Socket();
    if (localAddress != null) {
      socket.bind(new java.net.InetSocketAddress(localAddress, 0));
    }
    socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout(readTimeoutMs);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Writes a request head; {@code head} holds the request line and headers, without the final blank line. */
  public RawHttp head(String head) throws IOException {
    out.write((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public RawHttp write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Writes {@code n} filler bytes without holding them in memory. */
  public RawHttp fill(long n) throws IOException {
    byte[] block = new byte[64 * 1024];
    java.util.Arrays.fill(block, (byte) 'a');
    for (long left = n; left > 0; left -= block.length) {
      out.write(block, 0, (int) Math.min(block.length, left));
    }
    out.flush();
    return this;
  }

  public RawHttp write(String text) throws IOException {
    return write(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads one response (Content-Length or chunked body). */
  public Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      line();
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** True when the server has closed the connection (end of stream or reset) within the read timeout. */
  public boolean closedByServer() {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  public Socket socket() {
    return socket;
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
