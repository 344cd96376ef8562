package dev.chrysalis.forge.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ValidatableResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real HTTP against a test app. {@link #call(String)} names a contract operation: the method and
 * path come from the contract and the response is validated against it, so code and contract
 * cannot drift. {@link #raw} is for requests the contract does not describe.
 */
public final class Api {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
    .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();

  private final String baseUrl;
  private final Map<String, String> defaultHeaders;

  public Api(String baseUrl) {
    this(baseUrl, Map.of());
  }

  private Api(String baseUrl, Map<String, String> defaultHeaders) {
    this.baseUrl = baseUrl;
    this.defaultHeaders = defaultHeaders;
  }

  /** The same API with a header sent on every request (for example X-Forwarded-For). */
  public Api withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(defaultHeaders);
    h.put(name, value);
    return new Api(baseUrl, Map.copyOf(h));
  }

  public String baseUrl() {
    return baseUrl;
  }

  public Call call(String operationId) {
    Operation op = Contract.get().operation(operationId);
    if (op == null) {
      throw new IllegalArgumentException("no operation " + operationId + " in the contract");
    }
    return new Call(op.getHttpMethod().name(), op.getOpenAPIPath(), operationId);
  }

  public Call raw(String method, String path) {
    return new Call(method, path, null);
  }

  public final class Call {
    private final String method;
    private String path;
    private final String operationId;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> query = new LinkedHashMap<>();
    private byte[] body;
    private Duration timeout = Duration.ofSeconds(30);

    private Call(String method, String path, String operationId) {
      this.method = method;
      this.path = path;
      this.operationId = operationId;
      this.headers.putAll(defaultHeaders);
    }

    public Call path(String name, String value) {
      path = path.replace("{" + name + "}", URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      return this;
    }

    public Call query(String name, String value) {
      query.put(name, value);
      return this;
    }

    public Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public Call bearer(String token) {
      return header("Authorization", "Bearer " + token);
    }

    public Call body(JsonObject json) {
      return body(json.encode());
    }

    public Call body(String raw) {
      headers.putIfAbsent("Content-Type", "application/json");
      body = raw.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Call body(byte[] raw) {
      body = raw;
      return this;
    }

    public Call timeout(Duration t) {
      timeout = t;
      return this;
    }

    public Resp send() {
      StringBuilder url = new StringBuilder(baseUrl).append(path);
      if (!query.isEmpty()) {
        url.append('?');
        query.forEach((k, v) -> url.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        url.setLength(url.length() - 1);
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(b::header);
      try {
        HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        Resp resp = new Resp(r);
        if (operationId != null) {
          resp.validateAgainst(operationId);
        }
        return resp;
      } catch (Exception e) {
        throw new IllegalStateException(method + " " + path + " failed: " + e, e);
      }
    }
  }

  public static final class Resp {
    private final HttpResponse<byte[]> response;

    Resp(HttpResponse<byte[]> response) {
      this.response = response;
    }

    public int status() {
      return response.statusCode();
    }

    /** Asserts the status, showing the whole response when it differs. */
    public Resp expect(int status) {
      if (status() != status) {
        throw new AssertionError("expected status " + status + " but got " + this);
      }
      return this;
    }

    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    public String text() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      try {
        return new JsonObject(text());
      } catch (Exception e) {
        throw new AssertionError("not a JSON object (status " + status() + "): " + text());
      }
    }

    public JsonArray jsonArray() {
      return new JsonArray(text());
    }

    /** The error object of our error shape, asserting the shape. */
    public JsonObject error() {
      JsonObject e = json().getJsonObject("error");
      if (e == null || e.getString("message") == null || e.getString("type") == null) {
        throw new AssertionError("not in the error shape: " + text());
      }
      return e;
    }

    void validateAgainst(String operationId) {
      Map<String, String> hs = new HashMap<>();
      response.headers().map().forEach((k, v) -> hs.put(k, String.join(",", v)));
      String contentType = response.headers().firstValue("content-type").orElse(null);
      Buffer body = response.body().length == 0 ? null : Buffer.buffer(response.body());
      if (contentType != null && contentType.startsWith("text/plain")) {
        validateText(operationId, contentType);
        return;
      }
      ValidatableResponse vr = contentType == null || body == null
        ? ValidatableResponse.create(status(), hs)
        : ValidatableResponse.create(status(), hs, body, contentType);
      try {
        Contract.validator().validate(vr, operationId).await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("response of " + operationId + " (" + status() + ") breaks the contract: "
          + e.getMessage() + "\nbody: " + text(), e);
      }
    }

    /** vertx-openapi cannot run a schema on a text body (Prometheus /metrics): status and media type only. */
    private void validateText(String operationId, String contentType) {
      io.vertx.openapi.contract.Operation op = Contract.get().operation(operationId);
      io.vertx.openapi.contract.Response declared = op.getResponse(status());
      if (declared == null || !declared.getContent().containsKey(contentType)) {
        throw new AssertionError("response of " + operationId + " (" + status() + ", " + contentType
          + ") is not declared in the contract");
      }
    }

    @Override
    public String toString() {
      return status() + " " + text();
    }
  }
}
