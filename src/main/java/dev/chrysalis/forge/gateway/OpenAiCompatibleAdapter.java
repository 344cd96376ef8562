package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI, Mistral, Ollama, vLLM and custom OpenAI-compatible upstreams. The body passes through
 * untouched (OpenAI and custom upstreams get the client's very bytes when nothing below applies) except: the upstream model name, the gateway's own fields removed, usage always asked
 * for on streams ({@code stream_options.include_usage}), and each upstream's known deviations
 * (Mistral: an allow-list, {@code random_seed}, no {@code stream_options}, tool-call ids of its
 * own shape; Ollama: {@code max_tokens}, no {@code n>1}; Mistral, Ollama and vLLM: the
 * {@code developer} role sent as {@code system}).
 */
public final class OpenAiCompatibleAdapter implements ProviderAdapter {

  /** Fields the gateway reads itself and never forwards. */
  private static final Set<String> GATEWAY_FIELDS = Set.of("org_id");
  private static final Buffer INCLUDE_USAGE = Buffer.buffer("\"stream_options\":{\"include_usage\":true},");
  /** Mistral rejects unknown fields with 422, so only these go there. */
  private static final Set<String> MISTRAL_FIELDS = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
    "stream", "stop", "random_seed", "response_format", "tools", "tool_choice", "presence_penalty",
    "frequency_penalty", "n", "parallel_tool_calls", "prediction", "safe_prompt", "prompt_mode");

  /** Upstreams whose chat templates know no {@code developer} role. */
  private static final Set<String> NO_DEVELOPER_ROLE = Set.of("mistral", "ollama", "vllm");

  private final String provider;

  public OpenAiCompatibleAdapter(String provider) {
    this.provider = provider;
  }

  @Override
  public UpstreamCall request(ChatCall call, Credentials credentials) {
    MultiMap headers = UpstreamCall.jsonHeaders();
    if (call.stream()) {
      headers.set("accept", "text/event-stream");
    }
    if (credentials.key() != null && !credentials.key().isEmpty()) {
      headers.add("authorization", "Bearer " + credentials.key());
    }
    Buffer asSent = asSent(call);
    return new UpstreamCall(credentials.baseUrl() + path(), headers, asSent != null ? asSent : translated(call).toBuffer());
  }

  /**
   * The client's own bytes when this upstream takes the body as it came: OpenAI and custom
   * OpenAI-compatible upstreams, the model named as the upstream knows it, no gateway field in
   * it, and on a stream usage already asked for (or {@code stream_options} absent, when it is
   * added in front without re-encoding the rest). Null when the body must be rebuilt.
   */
  private Buffer asSent(ChatCall call) {
    Buffer raw = call.raw();
    JsonObject body = call.body();
    if (raw == null || !(provider.equals("openai") || provider.equals("custom"))
      || !call.upstreamModel().equals(body.getValue("model"))) {
      return null;
    }
    for (String f : GATEWAY_FIELDS) {
      if (body.containsKey(f)) {
        return null;
      }
    }
    if (!call.stream()) {
      return raw;
    }
    Object options = body.getValue("stream_options");
    if (options instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"))) {
      return raw;
    }
    if (options != null) {
      return null;
    }
    int open = 0;
    while (open < raw.length() && Character.isWhitespace(raw.getByte(open))) {
      open++;
    }
    if (open >= raw.length() || raw.getByte(open) != '{') {
      return null;
    }
    // messages is required, so the object has at least one member after the one added here
    return Buffer.buffer(raw.length() + INCLUDE_USAGE.length())
      .appendBuffer(raw, 0, open + 1)
      .appendBuffer(INCLUDE_USAGE)
      .appendBuffer(raw, open + 1, raw.length() - open - 1);
  }

  private JsonObject translated(ChatCall call) {
    Map<String, Object> fields = new LinkedHashMap<>(call.body().getMap());
    GATEWAY_FIELDS.forEach(fields::remove);
    fields.put("model", call.upstreamModel());
    JsonObject body = new JsonObject(fields);
    messages(body);
    switch (provider) {
      case "mistral" -> mistral(body, call);
      case "ollama" -> ollama(body, call);
      default -> askForUsage(body, call);
    }
    return body;
  }

  /** OPENAI_API_BASE and custom bases include the version; the other hosts do not. */
  private String path() {
    return provider.equals("openai") || provider.equals("custom") ? "/chat/completions" : "/v1/chat/completions";
  }

  /** Rewrites the messages this upstream would refuse, on copies: the client's body stays as it was. */
  private void messages(JsonObject body) {
    boolean roles = NO_DEVELOPER_ROLE.contains(provider);
    boolean ids = provider.equals("mistral");
    if (!roles && !ids || !(body.getValue("messages") instanceof JsonArray list)) {
      return;
    }
    JsonArray out = new JsonArray(new ArrayList<>(list.size()));
    boolean changed = false;
    for (Object o : list) {
      JsonObject m = o instanceof JsonObject j ? j : null;
      JsonObject fixed = m == null ? null : fixed(m, roles, ids);
      changed |= fixed != m;
      out.add(fixed == null ? o : fixed);
    }
    if (changed) {
      body.put("messages", out);
    }
  }

  /** The message as this upstream needs it: the same object when nothing changes, else a copy. */
  private static JsonObject fixed(JsonObject m, boolean roles, boolean ids) {
    JsonObject c = m;
    if (roles && "developer".equals(m.getValue("role"))) {
      c = m.copy().put("role", "system");
    }
    if (!ids) {
      return c;
    }
    if (m.getValue("tool_call_id") instanceof String id && !id.equals(MistralToolIds.of(id))) {
      c = (c == m ? m.copy() : c).put("tool_call_id", MistralToolIds.of(id));
    }
    if (m.getValue("tool_calls") instanceof JsonArray calls && calls.stream().anyMatch(t ->
      t instanceof JsonObject call && call.getValue("id") instanceof String id && !id.equals(MistralToolIds.of(id)))) {
      c = c == m ? m.copy() : c;
      for (Object t : c.getJsonArray("tool_calls")) {
        if (t instanceof JsonObject call && call.getValue("id") instanceof String id) {
          call.put("id", MistralToolIds.of(id));
        }
      }
    }
    return c;
  }

  private static void askForUsage(JsonObject body, ChatCall call) {
    if (call.stream()) {
      JsonObject options = body.getValue("stream_options") instanceof JsonObject o ? o.copy() : new JsonObject();
      body.put("stream_options", options.put("include_usage", true));
    }
  }

  private static void mistral(JsonObject body, ChatCall call) {
    if (body.containsKey("seed") && !body.containsKey("random_seed")) {
      body.put("random_seed", body.getValue("seed"));
    }
    maxTokens(body, call);
    body.fieldNames().removeIf(f -> !MISTRAL_FIELDS.contains(f));
  }

  private static void ollama(JsonObject body, ChatCall call) {
    if (call.n() > 1) {
      throw Errors.error(400, "unsupported_parameter", "Ollama models do not support n > 1.", "n");
    }
    maxTokens(body, call);
    body.remove("n");
    askForUsage(body, call);
  }

  private static void maxTokens(JsonObject body, ChatCall call) {
    Integer max = call.maxTokens();
    body.remove("max_completion_tokens");
    if (max != null) {
      body.put("max_tokens", max);
    }
  }

  @Override
  public JsonObject response(JsonObject upstream, ChatCall call) {
    // a 200 without choices (a models list, an HTML error page turned JSON) is no completion: never
    // hand it to the client as one
    if (!(upstream.getValue("choices") instanceof JsonArray)) {
      throw new IllegalArgumentException("no choices in the upstream answer");
    }
    if (upstream.getValue("usage") == null) {
      upstream.put("usage", Usage.NONE.toJson());
    }
    // OpenAI's schema requires content and refusal on the message; Mistral, Ollama and vLLM omit refusal
    if (upstream.getValue("choices") instanceof JsonArray choices) {
      for (Object o : choices) {
        if (o instanceof JsonObject c && c.getValue("message") instanceof JsonObject m) {
          if (!m.containsKey("refusal")) {
            m.putNull("refusal");
          }
          if (!m.containsKey("content")) {
            m.putNull("content");
          }
        }
      }
    }
    return upstream;
  }

  @Override
  public StreamTranslator stream(ChatCall call) {
    return (event, data, out) -> {
      if (data.startsWith("[DONE]")) {
        return;
      }
      JsonObject chunk;
      try {
        chunk = new JsonObject(data);
      } catch (DecodeException e) {
        return;
      }
      if (chunk.getValue("error") != null) {
        out.fail(UpstreamError.of(provider, 502, chunk.toBuffer(), null, null));
        return;
      }
      out.passthrough(chunk);
    };
  }
}
