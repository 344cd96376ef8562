package dev.chrysalis.forge.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests a well-behaved client refuses to build: header values
 * holding NUL, control characters or bytes that are not UTF-8. One request per connection.
 */
final class RawHttp {

  /** A response as it came off the wire (chunked bodies joined). */
  record Response(int status, Map<String, String> headers, byte[] body) {
  }

  private final String host;
  private final int port;

  RawHttp(String baseUrl) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
  }

  /** Headers are name and raw value bytes, sent exactly as given. */
  Response send(String method, String pathAndQuery, List<Map.Entry<String, byte[]>> headers, byte[] body)
    throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(30_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes((method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nConnection: close\r\n").getBytes(StandardCharsets.ISO_8859_1));
      for (Map.Entry<String, byte[]> h : headers) {
        req.writeBytes((h.getKey() + ": ").getBytes(StandardCharsets.ISO_8859_1));
        req.writeBytes(h.getValue());
        req.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      if (body != null) {
        req.writeBytes(("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      }
      req.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        req.writeBytes(body);
      }
      OutputStream out = socket.getOutputStream();
      out.write(req.toByteArray());
      out.flush();
      return parse(readAll(socket.getInputStream()));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // the server may close right after a refusal; what arrived before counts
      if (all.size() == 0) {
        throw reset;
      }
    }
    return all.toByteArray();
  }

  private static Response parse(byte[] raw) throws IOException {
    int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
    if (headEnd < 0) {
      throw new IOException("no complete response head (" + raw.length + " bytes)");
    }
    String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    byte[] rest = java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      rest = dechunk(rest);
    }
    return new Response(status, headers, rest);
  }

  private static byte[] dechunk(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < in.length) {
      int lineEnd = indexOf(in, new byte[] {'\r', '\n'}, pos);
      if (lineEnd < 0) {
        break;
      }
      String sizeText = new String(in, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
      int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
      if (size == 0) {
        break;
      }
      out.write(in, lineEnd + 2, Math.min(size, in.length - lineEnd - 2));
      pos = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] needle, int from) {
    outer:
    for (int i = from; i <= data.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
