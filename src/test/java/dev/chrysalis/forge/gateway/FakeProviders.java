package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fake LLM providers on one loopback port, each speaking its real wire format (see
 * each provider's published API): OpenAI chat completions (also Mistral, Ollama, vLLM paths), Anthropic
 * Messages, Gemini generateContent / streamGenerateContent?alt=sse, Cohere v2 chat, and the
 * OpenAI model list. What a call does is chosen by words in the upstream model name:
 * {@code tools} (answers with a tool call), {@code err400|err401|err404|err429|err500|err503}
 * (that error, in that provider's error body), {@code slow} (first byte after {@link #slowMs}),
 * {@code cut} (the connection drops mid-stream), {@code hang} (the stream stops sending),
 * {@code drip} (a long stream: {@link #dripEvents} events, one every {@link #dripIntervalMs}), {@code midstream} (an error event after
 * the first text), {@code fail<N>x<status>} (the first N calls with that model name answer that
 * status, then it works; {@code fail<N>xreset} closes the connection without an answer instead),
 * with {@code ra<S>s} a {@code retry-after: S} header on those failures (default 0) and
 * {@code rams<M>} a {@code retry-after-ms: M} header besides, {@code quota} (the provider's
 * quota or billing refusal: OpenAI 429 insufficient_quota, Anthropic 402 billing_error, Cohere
 * 402), {@code truncated} (the answer stops at the output limit: OpenAI finish_reason
 * {@code length}, Anthropic stop_reason {@code max_tokens}), {@code refuses} (OpenAI only: the
 * model refuses, {@code refusal} instead of content). Anything else answers "Hello there!"
 * (streamed in three pieces). OpenAI-format calls
 * whose first message is thread chat's summary instruction are counted in {@link #summaryCalls}
 * and, when set, answered with {@link #summaryAnswer} or refused with {@link #summaryStatus}.
 *
 * <p>Like the real ones, OpenAI-style and Anthropic answers carry headers a gateway must not pass
 * on: {@code set-cookie}, the organization, the upstream's request id and rate-limit counters.
 * The Mistral key's calls are refused (400, Mistral's top-level error body) when a tool-call id
 * is not nine letters and digits, as Mistral does.
 */
public final class FakeProviders implements AutoCloseable {

  public static final String OPENAI_KEY = "sk-test-openai-0000";
  public static final String ANTHROPIC_KEY = "sk-ant-test-0000";
  public static final String GOOGLE_KEY = "AIza-test-google-0000";
  public static final String COHERE_KEY = "co-test-0000";
  public static final String MISTRAL_KEY = "mi-test-0000";
  public static final List<String> PIECES = List.of("Hel", "lo ", "there!");
  public static final String REFUSAL = "I can't help with that.";
  public static final String UPSTREAM_RATE_REMAINING = "4242";
  private static final Pattern FAIL = Pattern.compile("fail(\\d+)x(\\d{3}|reset)");
  private static final Pattern RETRY_AFTER = Pattern.compile("ra(\\d+)s");
  private static final Pattern RETRY_AFTER_MS = Pattern.compile("rams(\\d+)");
  private static final Pattern MISTRAL_ID = Pattern.compile("[a-zA-Z0-9]{9}");

  /** One request as the fake saw it. */
  public record Seen(String path, String query, MultiMap headers, JsonObject body, String raw) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  public final List<Seen> seen = new CopyOnWriteArrayList<>();
  public final AtomicInteger closedEarly = new AtomicInteger();
  public final AtomicInteger completedStreams = new AtomicInteger();
  public volatile long slowMs = 1500;
  public final AtomicInteger summaryCalls = new AtomicInteger();
  public volatile String summaryAnswer;
  public volatile int summaryStatus;
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  /** How many copies of the first text event a {@code drip} stream sends, and how far apart. */
  public volatile int dripEvents = 1000;
  public volatile long dripIntervalMs = 20;

  public FakeProviders() {
    try {
      server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public Seen last() {
    return seen.isEmpty() ? null : seen.get(seen.size() - 1);
  }

  /** How many chat calls asked for this upstream model (in the body, or in Gemini's path). */
  public long calls(String model) {
    return seen.stream().filter(s -> model.equals(s.body().getString("model"))
      || s.path().contains("/models/" + model + ":")).count();
  }

  @Override
  public void close() {
    vertx.close();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      JsonObject body = buf.length() == 0 ? new JsonObject() : buf.toJsonObject();
      seen.add(new Seen(req.path(), req.query(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body,
        buf.toString()));
      String path = req.path();
      HttpServerResponse res = req.response();
      leakyHeaders(path, res);
      if (req.method().name().equals("GET") && path.endsWith("/models")) {
        if (!bearer(req, OPENAI_KEY) && !bearer(req, MISTRAL_KEY)) {
          res.setStatusCode(401).end("{\"error\":{\"message\":\"bad key\",\"type\":\"invalid_request_error\"}}");
          return;
        }
        res.putHeader("content-type", "application/json").end(new JsonObject().put("object", "list")
          .put("data", new JsonArray()
            .add(new JsonObject().put("id", "gpt-live-1").put("object", "model").put("created", 1715367049).put("owned_by", "system"))
            .add(new JsonObject().put("id", "text-embedding-live").put("object", "model").put("created", 1715367049).put("owned_by", "system")))
          .encode());
        return;
      }
      if (path.endsWith("/embeddings")) {
        openaiEmbeddings(req, body);
      } else if (path.equals("/v2/embed")) {
        cohereEmbed(req, body);
      } else if (path.contains(":batchEmbedContents")) {
        geminiEmbed(req, body);
      } else if (path.endsWith("/chat/completions")) {
        openai(req, body);
      } else if (path.equals("/v1/messages")) {
        anthropic(req, body);
      } else if (path.contains(":generateContent") || path.contains(":streamGenerateContent")) {
        gemini(req, body);
      } else if (path.equals("/v2/chat")) {
        cohere(req, body);
      } else {
        res.setStatusCode(404).end();
      }
    });
  }

  /** What real OpenAI-style and Anthropic answers carry besides the body. */
  private static void leakyHeaders(String path, HttpServerResponse res) {
    res.putHeader("set-cookie", "__cf_bm=upstream-cookie; path=/; HttpOnly")
      .putHeader("x-request-id", "req_upstream_1");
    if (path.equals("/v1/messages")) {
      res.putHeader("anthropic-organization-id", "org-upstream-anthropic")
        .putHeader("request-id", "req_upstream_1")
        .putHeader("anthropic-ratelimit-requests-remaining", UPSTREAM_RATE_REMAINING);
    } else {
      res.putHeader("openai-organization", "org-upstream-openai")
        .putHeader("openai-processing-ms", "12")
        .putHeader("x-ratelimit-limit-requests", "5000")
        .putHeader("x-ratelimit-remaining-requests", UPSTREAM_RATE_REMAINING)
        .putHeader("x-ratelimit-reset-requests", "12ms");
    }
  }

  /** The service key, or any user (BYOK) key starting with {@code sk-user-}. */
  private static boolean bearer(HttpServerRequest req, String key) {
    String auth = req.getHeader("authorization");
    return auth != null && (auth.equals("Bearer " + key) || auth.startsWith("Bearer sk-user-"));
  }

  /** Applies the error / slow behaviours shared by every format; true when it answered. */
  private boolean behaviour(HttpServerRequest req, String model, String format, Runnable then) {
    Matcher fail = FAIL.matcher(model);
    if (fail.find() && failures.computeIfAbsent(model, k -> new AtomicInteger()).getAndIncrement()
      < Integer.parseInt(fail.group(1))) {
      if (fail.group(2).equals("reset")) {
        req.connection().close();
        return true;
      }
      int status = Integer.parseInt(fail.group(2));
      HttpServerResponse res = req.response().setStatusCode(status).putHeader("content-type", "application/json");
      Matcher after = RETRY_AFTER.matcher(model);
      res.putHeader("retry-after", after.find() ? after.group(1) : "0");
      Matcher afterMs = RETRY_AFTER_MS.matcher(model);
      if (afterMs.find()) {
        res.putHeader("retry-after-ms", afterMs.group(1));
      }
      res.end(errorBody(format, status));
      return true;
    }
    if (model.contains("quota")) {
      int status = format.equals("openai") ? 429 : 402;
      req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(format.equals("openai") ? new JsonObject().put("error", new JsonObject()
          .put("message", "You exceeded your current quota, please check your plan and billing details.")
          .put("type", "insufficient_quota").putNull("param").put("code", "insufficient_quota")).encode()
          : errorBody(format, 402));
      return true;
    }
    for (int status : new int[]{400, 401, 404, 429, 500, 503}) {
      if (model.contains("err" + status)) {
        HttpServerResponse res = req.response().setStatusCode(status).putHeader("content-type", "application/json");
        if (status == 429) {
          res.putHeader("retry-after", "7");
        }
        res.end(errorBody(format, status));
        return true;
      }
    }
    if (model.contains("slow")) {
      vertx.setTimer(slowMs, id -> {
        if (!req.response().closed()) {
          then.run();
        }
      });
      return true;
    }
    return false;
  }

  static String errorBody(String format, int status) {
    String msg = switch (status) {
      case 401 -> "Incorrect API key provided: sk-ab***wjh3. Find your key at https://platform.example.com/keys.";
      case 429 -> "Rate limit reached for requests";
      case 402 -> "Your credit balance is too low.";
      case 529 -> "Overloaded";
      default -> "Upstream says " + status + " for sk-live-abcdefghijklmnopqrstuvwxyz0123456789";
    };
    return switch (format) {
      case "anthropic" -> new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", switch (status) {
          case 429 -> "rate_limit_error";
          case 401 -> "authentication_error";
          case 402 -> "billing_error";
          case 529 -> "overloaded_error";
          default -> "api_error";
        })
        .put("message", msg)).put("request_id", "req_1").encode();
      case "google" -> new JsonObject().put("error", new JsonObject().put("code", status).put("message", msg)
        .put("status", status == 429 ? "RESOURCE_EXHAUSTED" : "INVALID_ARGUMENT")
        .put("details", new JsonArray().add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.DebugInfo")
          .put("detail", "Invalid API key: " + GOOGLE_KEY)))).encode();
      case "cohere" -> new JsonObject().put("id", "c1").put("message", msg).encode();
      default -> new JsonObject().put("error", new JsonObject().put("message", msg)
        .put("type", status == 429 ? "requests" : "invalid_request_error")
        .put("code", status == 401 ? "invalid_api_key" : null).putNull("param")).encode();
    };
  }

  private void sse(HttpServerRequest req, List<String> events, String model) {
    HttpServerResponse res = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
    res.closeHandler(v -> {
      if (!res.ended()) {
        closedEarly.incrementAndGet();
      }
    });
    long interval = model.contains("drip") ? dripIntervalMs : 0;
    if (model.contains("drip")) {
      // a long answer: the same text many times, one event every dripIntervalMs
      java.util.ArrayList<String> longer = new java.util.ArrayList<>();
      longer.add(events.get(0));
      for (int i = 0; i < dripEvents; i++) {
        longer.add(events.get(1));
      }
      longer.addAll(events.subList(2, events.size()));
      events = longer;
    }
    send(req, res, events, 0, interval, model);
  }

  private void send(HttpServerRequest req, HttpServerResponse res, List<String> events, int i, long interval, String model) {
    if (res.closed()) {
      return;
    }
    if (i == events.size()) {
      if (model.contains("hang")) {
        return;
      }
      res.end();
      completedStreams.incrementAndGet();
      return;
    }
    if (model.contains("cut") && i == 2) {
      req.connection().close();
      return;
    }
    if (model.contains("hang") && i == 2) {
      return;
    }
    res.write(events.get(i));
    if (interval > 0) {
      vertx.setTimer(interval, id -> send(req, res, events, i + 1, interval, model));
    } else {
      send(req, res, events, i + 1, interval, model);
    }
  }

  // ---------------- embeddings ----------------

  /** Input tokens the fakes report for a text: one per four characters, at least one. */
  public static long embedTokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  /** The fakes' vector for input {@code i}: {@code i + j / 4} for j below the dimensions (exact in float32). */
  public static JsonArray vector(int i, int dimensions) {
    JsonArray v = new JsonArray();
    for (int j = 0; j < dimensions; j++) {
      v.add(i + j / 4.0);
    }
    return v;
  }

  /**
   * OpenAI {@code /embeddings} (also Ollama and vLLM): {@code input} a string, strings or token
   * arrays, {@code dimensions}, {@code encoding_format}; usage {@code prompt_tokens}. With the
   * Mistral key it behaves as Mistral: fields outside its schema are refused with 422, and
   * {@code output_dimension} sets the size.
   */
  private void openaiEmbeddings(HttpServerRequest req, JsonObject body) {
    String model = body.getString("model", "");
    boolean keyless = req.getHeader("authorization") == null;
    boolean mistral = bearer(req, MISTRAL_KEY);
    if (!keyless && !bearer(req, OPENAI_KEY) && !mistral) {
      req.response().setStatusCode(401).putHeader("content-type", "application/json").end(errorBody("openai", 401));
      return;
    }
    if (mistral) {
      for (String f : body.fieldNames()) {
        if (!java.util.Set.of("model", "input", "output_dimension", "output_dtype", "encoding_format").contains(f)) {
          req.response().setStatusCode(422).putHeader("content-type", "application/json").end(new JsonObject()
            .put("object", "error").put("message", new JsonObject().put("detail", new JsonArray().add(new JsonObject()
              .put("type", "extra_forbidden").put("msg", "Extra inputs are not permitted")))).put("type", "invalid_request_error")
            .putNull("param").putNull("code").encode());
          return;
        }
      }
    }
    if (behaviour(req, model, "openai", () -> openaiEmbeddings(req, body.put("model", "ok")))) {
      return;
    }
    Object input = body.getValue("input");
    JsonArray inputs = input instanceof JsonArray a && !a.isEmpty() && !(a.getValue(0) instanceof Number) ? a
      : new JsonArray().add(input);
    int dims = body.getInteger(mistral ? "output_dimension" : "dimensions", 4);
    long tokens = 0;
    JsonArray data = new JsonArray();
    for (int i = 0; i < inputs.size(); i++) {
      Object one = inputs.getValue(i);
      tokens += one instanceof JsonArray ids ? ids.size() : embedTokens(String.valueOf(one));
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", vector(i, dims)));
    }
    // answered out of order, as the index field allows
    JsonArray shuffled = new JsonArray();
    for (int i = data.size() - 1; i >= 0; i--) {
      shuffled.add(data.getValue(i));
    }
    req.response().putHeader("content-type", "application/json").end(new JsonObject().put("object", "list")
      .put("data", shuffled).put("model", model)
      .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)).encode());
  }

  /** Cohere {@code /v2/embed}: {@code texts}, a required {@code input_type}, {@code embedding_types}. */
  private void cohereEmbed(HttpServerRequest req, JsonObject body) {
    if (!bearer(req, COHERE_KEY)) {
      req.response().setStatusCode(401).putHeader("content-type", "application/json").end(errorBody("cohere", 401));
      return;
    }
    String model = body.getString("model", "");
    if (behaviour(req, model, "cohere", () -> cohereEmbed(req, body.put("model", "ok")))) {
      return;
    }
    if (body.getString("input_type") == null || !body.getJsonArray("embedding_types", new JsonArray()).contains("float")) {
      req.response().setStatusCode(400).putHeader("content-type", "application/json")
        .end(new JsonObject().put("id", "c1").put("message", "input_type and embedding_types are required").encode());
      return;
    }
    JsonArray texts = body.getJsonArray("texts");
    int dims = body.getInteger("output_dimension", 4);
    JsonArray floats = new JsonArray();
    long tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      floats.add(vector(i, dims));
      tokens += embedTokens(texts.getString(i));
    }
    req.response().putHeader("content-type", "application/json").end(new JsonObject().put("id", "e1")
      .put("embeddings", new JsonObject().put("float", floats)).put("texts", texts)
      .put("meta", new JsonObject().put("billed_units", new JsonObject().put("input_tokens", tokens)))
      .put("response_type", "embeddings_by_type").encode());
  }

  /** Gemini {@code models/{m}:batchEmbedContents}: one request per text, no token count in the answer. */
  private void geminiEmbed(HttpServerRequest req, JsonObject body) {
    if (!GOOGLE_KEY.equals(req.getHeader("x-goog-api-key")) || req.query() != null && req.query().contains("key=")) {
      req.response().setStatusCode(400).putHeader("content-type", "application/json").end(errorBody("google", 400));
      return;
    }
    String path = req.path();
    String model = path.substring(path.indexOf("/models/") + 8, path.indexOf(':'));
    if (behaviour(req, model, "google", () -> geminiEmbed(req, body))) {
      return;
    }
    JsonArray out = new JsonArray();
    JsonArray requests = body.getJsonArray("requests");
    for (int i = 0; i < requests.size(); i++) {
      JsonObject one = requests.getJsonObject(i);
      if (!("models/" + model).equals(one.getString("model"))) {
        req.response().setStatusCode(400).putHeader("content-type", "application/json").end(errorBody("google", 400));
        return;
      }
      out.add(new JsonObject().put("values", vector(i, one.getInteger("outputDimensionality", 4))));
    }
    req.response().putHeader("content-type", "application/json").end(new JsonObject().put("embeddings", out).encode());
  }

  // ---------------- OpenAI ----------------

  private void openai(HttpServerRequest req, JsonObject body) {
    String model = body.getString("model", "");
    boolean keyless = req.path().startsWith("/v1/") && req.getHeader("authorization") == null;
    if (!keyless && !bearer(req, OPENAI_KEY) && !bearer(req, MISTRAL_KEY)) {
      req.response().setStatusCode(401).putHeader("content-type", "application/json").end(errorBody("openai", 401));
      return;
    }
    String badId = bearer(req, MISTRAL_KEY) ? badMistralToolId(body) : null;
    if (badId != null) {
      req.response().setStatusCode(400).putHeader("content-type", "application/json").end(new JsonObject()
        .put("object", "error").put("message", "Tool call id was " + badId
          + " but must be a-z, A-Z, 0-9, with a length of 9.").put("type", "invalid_request_error")
        .putNull("param").putNull("code").encode());
      return;
    }
    if (summaryCall(body)) {
      summaryCalls.incrementAndGet();
      if (summaryStatus != 0) {
        req.response().setStatusCode(summaryStatus).putHeader("content-type", "application/json")
          .end(errorBody("openai", summaryStatus));
        return;
      }
      if (summaryAnswer != null) {
        JsonObject completion = openaiCompletion(model);
        completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").put("content", summaryAnswer);
        req.response().putHeader("content-type", "application/json").end(completion.encode());
        return;
      }
    }
    Runnable answer = () -> {
      if (Boolean.TRUE.equals(body.getValue("stream"))) {
        sse(req, openaiStream(body, model, bearer(req, MISTRAL_KEY)), model);
      } else {
        JsonObject completion = openaiCompletion(model);
        if (bearer(req, MISTRAL_KEY) || req.getHeader("authorization") == null) {
          // Mistral and Ollama answer without OpenAI's refusal field
          completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").remove("refusal");
        }
        req.response().putHeader("content-type", "application/json").end(completion.encode());
      }
    };
    if (!behaviour(req, model, "openai", answer)) {
      answer.run();
    }
  }

  private static boolean summaryCall(JsonObject body) {
    JsonArray messages = body.getJsonArray("messages", new JsonArray());
    return !messages.isEmpty() && messages.getValue(0) instanceof JsonObject first
      && first.getString("content", "").startsWith("Summarize the conversation");
  }

  private static String badMistralToolId(JsonObject body) {
    for (Object o : body.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      if (m.getValue("tool_call_id") instanceof String id && !MISTRAL_ID.matcher(id).matches()) {
        return id;
      }
      for (Object c : m.getJsonArray("tool_calls", new JsonArray())) {
        String id = ((JsonObject) c).getString("id");
        if (id != null && !MISTRAL_ID.matcher(id).matches()) {
          return id;
        }
      }
    }
    return null;
  }

  static JsonObject openaiCompletion(String model) {
    JsonObject message = new JsonObject().put("role", "assistant").putNull("refusal");
    String finish = "stop";
    if (model.contains("tools")) {
      message.putNull("content").put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_1")
        .put("type", "function").put("function", new JsonObject().put("name", "get_weather")
          .put("arguments", "{\"city\":\"Paris\"}"))));
      finish = "tool_calls";
    } else if (model.contains("refuses")) {
      message.putNull("content").put("refusal", REFUSAL);
    } else {
      message.put("content", String.join("", PIECES));
    }
    if (model.contains("truncated")) {
      finish = "length";
    }
    return new JsonObject().put("id", "chatcmpl-up").put("object", "chat.completion").put("created", 1760000000)
      .put("model", model).put("system_fingerprint", "fp_x")
      .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
        .putNull("logprobs").put("finish_reason", finish)))
      .put("usage", new JsonObject().put("prompt_tokens", 9).put("completion_tokens", 3).put("total_tokens", 12));
  }

  /** Mistral puts usage on its last chunk (the one with the finish reason) without being asked. */
  private static List<String> openaiStream(JsonObject body, String model, boolean mistral) {
    boolean usage = body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    String head = "{\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,\"model\":\"" + model + "\",";
    String tail = usage ? ",\"usage\":null}" : "}";
    java.util.ArrayList<String> ev = new java.util.ArrayList<>();
    ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]" + tail + "\n\n");
    String finish = "stop";
    if (model.contains("tools")) {
      ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]" + tail + "\n\n");
      ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]" + tail + "\n\n");
      finish = "tool_calls";
    } else if (model.contains("refuses")) {
      ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"" + REFUSAL + "\"},\"finish_reason\":null}]" + tail + "\n\n");
    } else {
      for (String p : PIECES) {
        ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + p + "\"},\"finish_reason\":null}]" + tail + "\n\n");
      }
    }
    if (model.contains("truncated")) {
      finish = "length";
    }
    if (model.contains("midstream")) {
      ev.add(2, "data: {\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\",\"code\":null,\"param\":null}}\n\n");
    }
    String finishTail = mistral ? ",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}" : tail;
    ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + finish + "\"}]" + finishTail + "\n\n");
    if (usage) {
      ev.add("data: " + head + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n");
    }
    ev.add("data: [DONE]\n\n");
    return ev;
  }

  // ---------------- Anthropic ----------------

  private void anthropic(HttpServerRequest req, JsonObject body) {
    String model = body.getString("model", "");
    String key = req.getHeader("x-api-key");
    if (!ANTHROPIC_KEY.equals(key) || !"2023-06-01".equals(req.getHeader("anthropic-version"))) {
      req.response().setStatusCode(401).putHeader("content-type", "application/json").end(errorBody("anthropic", 401));
      return;
    }
    Runnable answer = () -> {
      if (Boolean.TRUE.equals(body.getValue("stream"))) {
        sse(req, anthropicStream(model), model);
      } else {
        req.response().putHeader("content-type", "application/json").end(anthropicMessage(model).encode());
      }
    };
    if (!behaviour(req, model, "anthropic", answer)) {
      answer.run();
    }
  }

  static JsonObject anthropicMessage(String model) {
    JsonArray content = new JsonArray();
    String stop = "end_turn";
    if (model.contains("tools")) {
      content.add(new JsonObject().put("type", "text").put("text", "Checking."));
      content.add(new JsonObject().put("type", "tool_use").put("id", "toolu_01A").put("name", "get_weather")
        .put("input", new JsonObject().put("city", "Paris")));
      stop = "tool_use";
    } else {
      content.add(new JsonObject().put("type", "text").put("text", String.join("", PIECES)));
    }
    if (model.contains("truncated")) {
      stop = "max_tokens";
    }
    return new JsonObject().put("id", "msg_01X").put("type", "message").put("role", "assistant").put("model", model)
      .put("content", content).put("stop_reason", stop).putNull("stop_sequence")
      .put("usage", new JsonObject().put("input_tokens", 120).put("output_tokens", 42)
        .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 8));
  }

  private static String ev(String name, String data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }

  private static List<String> anthropicStream(String model) {
    java.util.ArrayList<String> ev = new java.util.ArrayList<>();
    ev.add(ev("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01X\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":120,\"output_tokens\":1,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}}"));
    ev.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    ev.add(ev("ping", "{\"type\":\"ping\"}"));
    String stop = "end_turn";
    if (model.contains("tools")) {
      ev.add(ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}"));
      ev.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
      ev.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\",\"input\":{}}}"));
      ev.add(ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}"));
      ev.add(ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}"));
      ev.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
      stop = "tool_use";
    } else {
      for (String p : PIECES) {
        ev.add(ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + p + "\"}}"));
      }
      ev.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
    }
    if (model.contains("truncated")) {
      stop = "max_tokens";
    }
    if (model.contains("midstream")) {
      ev.add(4, ev("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    }
    ev.add(ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":42}}"));
    ev.add(ev("message_stop", "{\"type\":\"message_stop\"}"));
    return ev;
  }

  // ---------------- Gemini ----------------

  private void gemini(HttpServerRequest req, JsonObject body) {
    String path = req.path();
    String model = path.substring(path.indexOf("/models/") + 8, path.indexOf(':'));
    boolean apiKeyInUrl = req.query() != null && req.query().contains("key=");
    if (apiKeyInUrl || !GOOGLE_KEY.equals(req.getHeader("x-goog-api-key"))) {
      req.response().setStatusCode(400).putHeader("content-type", "application/json").end(
        new JsonObject().put("error", new JsonObject().put("code", 400).put("message", "API key not valid.")
          .put("status", "INVALID_ARGUMENT").put("details", new JsonArray().add(new JsonObject()
            .put("reason", "API_KEY_INVALID")))).encode());
      return;
    }
    boolean stream = path.contains(":streamGenerateContent");
    Runnable answer = () -> {
      if (stream) {
        sse(req, geminiStream(model), model);
      } else {
        req.response().putHeader("content-type", "application/json").end(geminiResponse(model).encode());
      }
    };
    if (!behaviour(req, model, "google", answer)) {
      answer.run();
    }
  }

  static JsonObject geminiResponse(String model) {
    JsonArray parts = new JsonArray();
    if (model.contains("tools")) {
      parts.add(new JsonObject().put("functionCall", new JsonObject().put("name", "get_weather")
        .put("args", new JsonObject().put("city", "Paris"))).put("thoughtSignature", "sig-123"));
    } else {
      parts.add(new JsonObject().put("text", String.join("", PIECES)));
    }
    return new JsonObject().put("candidates", new JsonArray().add(new JsonObject()
        .put("content", new JsonObject().put("role", "model").put("parts", parts)).put("finishReason", "STOP")))
      .put("usageMetadata", new JsonObject().put("promptTokenCount", 11).put("candidatesTokenCount", 3)
        .put("totalTokenCount", 14))
      .put("modelVersion", model).put("responseId", "resp-1");
  }

  private static List<String> geminiStream(String model) {
    java.util.ArrayList<String> ev = new java.util.ArrayList<>();
    if (model.contains("tools")) {
      ev.add("data: " + geminiResponse(model).encode() + "\r\n\r\n");
      ev.add("data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":11,\"candidatesTokenCount\":5,\"totalTokenCount\":16}}\r\n\r\n");
      ev.add("");
      return ev;
    }
    for (int i = 0; i < PIECES.size(); i++) {
      boolean last = i == PIECES.size() - 1;
      JsonObject chunk = new JsonObject().put("candidates", new JsonArray().add(new JsonObject()
        .put("content", new JsonObject().put("role", "model").put("parts", new JsonArray().add(new JsonObject().put("text", PIECES.get(i)))))));
      if (last) {
        chunk.getJsonArray("candidates").getJsonObject(0).put("finishReason", "STOP");
        chunk.put("usageMetadata", new JsonObject().put("promptTokenCount", 11).put("candidatesTokenCount", 3).put("totalTokenCount", 14));
      } else {
        chunk.put("usageMetadata", new JsonObject().put("promptTokenCount", 10).put("totalTokenCount", 10));
      }
      ev.add("data: " + chunk.encode() + "\r\n\r\n");
    }
    return ev;
  }

  // ---------------- Cohere ----------------

  private void cohere(HttpServerRequest req, JsonObject body) {
    String model = body.getString("model", "");
    if (!bearer(req, COHERE_KEY)) {
      req.response().setStatusCode(401).putHeader("content-type", "application/json").end(errorBody("cohere", 401));
      return;
    }
    Runnable answer = () -> {
      if (Boolean.TRUE.equals(body.getValue("stream"))) {
        sse(req, cohereStream(model), model);
      } else {
        req.response().putHeader("content-type", "application/json").end(cohereResponse(model).encode());
      }
    };
    if (!behaviour(req, model, "cohere", answer)) {
      answer.run();
    }
  }

  static JsonObject cohereResponse(String model) {
    JsonObject message = new JsonObject().put("role", "assistant");
    String finish = "COMPLETE";
    if (model.contains("tools")) {
      message.put("tool_plan", "I will check the weather.").put("tool_calls", new JsonArray().add(new JsonObject()
        .put("id", "get_weather_1").put("type", "function").put("function", new JsonObject()
          .put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}"))));
      finish = "TOOL_CALL";
    } else {
      message.put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", String.join("", PIECES))));
    }
    return new JsonObject().put("id", "5b1e").put("finish_reason", finish).put("message", message)
      .put("usage", new JsonObject()
        .put("billed_units", new JsonObject().put("input_tokens", 8).put("output_tokens", 3))
        .put("tokens", new JsonObject().put("input_tokens", 64).put("output_tokens", 3)));
  }

  private static List<String> cohereStream(String model) {
    java.util.ArrayList<String> ev = new java.util.ArrayList<>();
    ev.add(ev("message-start", "{\"type\":\"message-start\",\"id\":\"5b1e\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}"));
    String finish = "COMPLETE";
    if (model.contains("tools")) {
      ev.add(ev("tool-plan-delta", "{\"type\":\"tool-plan-delta\",\"delta\":{\"message\":{\"tool_plan\":\"I will\"}}}"));
      ev.add(ev("tool-call-start", "{\"type\":\"tool-call-start\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"id\":\"get_weather_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}}}}"));
      ev.add(ev("tool-call-delta", "{\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"function\":{\"arguments\":\"{\\\"city\\\":\"}}}}}"));
      ev.add(ev("tool-call-delta", "{\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}}}}"));
      ev.add(ev("tool-call-end", "{\"type\":\"tool-call-end\",\"index\":0}"));
      finish = "TOOL_CALL";
    } else {
      ev.add(ev("content-start", "{\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}"));
      for (String p : PIECES) {
        ev.add(ev("content-delta", "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"" + p + "\"}}}}"));
      }
      ev.add(ev("content-end", "{\"type\":\"content-end\",\"index\":0}"));
    }
    ev.add(ev("message-end", "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"" + finish + "\",\"usage\":{\"billed_units\":{\"input_tokens\":8,\"output_tokens\":3},\"tokens\":{\"input_tokens\":64,\"output_tokens\":3}}}}"));
    return ev;
  }
}
