package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Anthropic Messages API ({@code POST /v1/messages}), both ways, streamed and not. A temperature
 * above 1 is refused before this runs ({@link ParameterRules}); models with {@link FixedSampling}
 * get no temperature or top_p at all (top_k is never sent: the OpenAI body has none).
 */
public final class AnthropicAdapter implements ProviderAdapter {

  static final String VERSION = "2023-06-01";
  private final int defaultMaxTokens;

  public AnthropicAdapter(int defaultMaxTokens) {
    this.defaultMaxTokens = defaultMaxTokens;
  }

  @Override
  public UpstreamCall request(ChatCall call, Credentials credentials) {
    OpenAiMessages.noMultipleChoices(call, "Anthropic");
    JsonObject in = call.body();
    JsonObject out = new JsonObject().put("model", call.upstreamModel());
    StringBuilder system = new StringBuilder();
    JsonArray messages = new JsonArray();
    JsonArray list = in.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      JsonObject m = list.getJsonObject(i);
      String role = OpenAiMessages.role(m);
      switch (role) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(OpenAiMessages.text(m.getValue("content")));
        }
        case "assistant" -> append(messages, "assistant", assistantBlocks(m, i));
        case "tool", "function" -> append(messages, "user", new JsonArray().add(new JsonObject()
          .put("type", "tool_result")
          .put("tool_use_id", m.getString("tool_call_id", ""))
          .put("content", OpenAiMessages.text(m.getValue("content")))));
        default -> append(messages, "user", userBlocks(m.getValue("content")));
      }
    }
    if (system.length() > 0) {
      out.put("system", system.toString());
    }
    out.put("messages", messages);
    Integer max = call.maxTokens();
    out.put("max_tokens", max == null ? defaultMaxTokens : max);
    // the newest models take only their own sampling: the client's settings are dropped, not refused
    if (!FixedSampling.of(call.upstreamModel(), call.route().catalog())) {
      if (in.getValue("temperature") instanceof Number t) {
        out.put("temperature", t.doubleValue());
      }
      if (in.getValue("top_p") instanceof Number p) {
        out.put("top_p", p);
      }
    }
    JsonArray stop = OpenAiMessages.stopList(in.getValue("stop"));
    if (stop != null) {
      out.put("stop_sequences", stop);
    }
    tools(in, out);
    if (in.getValue("user") instanceof String user) {
      out.put("metadata", new JsonObject().put("user_id", user));
    }
    if (call.stream()) {
      out.put("stream", true);
    }
    MultiMap headers = UpstreamCall.jsonHeaders()
      .add("x-api-key", credentials.key())
      .add("anthropic-version", VERSION);
    if (call.stream()) {
      headers.set("accept", "text/event-stream");
    }
    return new UpstreamCall(credentials.baseUrl() + "/v1/messages", headers, out.toBuffer());
  }

  /** Anthropic wants alternating turns: a turn with the same role as the last one is merged into it. */
  private static void append(JsonArray messages, String role, JsonArray blocks) {
    if (!messages.isEmpty()) {
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      if (last.getString("role").equals(role)) {
        last.getJsonArray("content").addAll(blocks);
        return;
      }
    }
    messages.add(new JsonObject().put("role", role).put("content", blocks));
  }

  private static JsonArray userBlocks(Object content) {
    JsonArray blocks = new JsonArray();
    if (content instanceof JsonArray parts) {
      for (Object o : parts) {
        JsonObject part = (JsonObject) o;
        String type = part.getString("type", "text");
        if (type.equals("image_url")) {
          Object img = part.getValue("image_url");
          String url = img instanceof JsonObject j ? j.getString("url") : String.valueOf(img);
          String[] data = OpenAiMessages.dataUrl(url);
          JsonObject source = data != null
            ? new JsonObject().put("type", "base64").put("media_type", data[0]).put("data", data[1])
            : new JsonObject().put("type", "url").put("url", url);
          blocks.add(new JsonObject().put("type", "image").put("source", source));
        } else if (part.getValue("text") instanceof String t) {
          blocks.add(new JsonObject().put("type", "text").put("text", t));
        }
      }
    } else {
      blocks.add(new JsonObject().put("type", "text").put("text", content == null ? "" : String.valueOf(content)));
    }
    return blocks;
  }

  private static JsonArray assistantBlocks(JsonObject m, int index) {
    JsonArray blocks = new JsonArray();
    String text = OpenAiMessages.text(m.getValue("content"));
    if (!text.isEmpty()) {
      blocks.add(new JsonObject().put("type", "text").put("text", text));
    }
    JsonArray calls = m.getJsonArray("tool_calls");
    if (calls != null) {
      for (Object o : calls) {
        JsonObject call = (JsonObject) o;
        blocks.add(new JsonObject().put("type", "tool_use").put("id", call.getString("id"))
          .put("name", call.getJsonObject("function", new JsonObject()).getString("name"))
          .put("input", OpenAiMessages.arguments(call, index)));
      }
    }
    return blocks;
  }

  private static void tools(JsonObject in, JsonObject out) {
    JsonArray tools = in.getJsonArray("tools");
    if (tools != null && !tools.isEmpty()) {
      JsonArray list = new JsonArray();
      for (Object o : tools) {
        JsonObject fn = ((JsonObject) o).getJsonObject("function", new JsonObject());
        JsonObject t = new JsonObject().put("name", fn.getString("name"))
          .put("input_schema", fn.getJsonObject("parameters", new JsonObject().put("type", "object")));
        if (fn.getString("description") != null) {
          t.put("description", fn.getString("description"));
        }
        list.add(t);
      }
      out.put("tools", list);
    }
    Object choice = in.getValue("tool_choice");
    JsonObject tc = null;
    if (choice instanceof String s) {
      tc = switch (s) {
        case "required" -> new JsonObject().put("type", "any");
        case "none" -> new JsonObject().put("type", "none");
        default -> new JsonObject().put("type", "auto");
      };
    } else if (choice instanceof JsonObject named) {
      tc = new JsonObject().put("type", "tool")
        .put("name", named.getJsonObject("function", new JsonObject()).getString("name"));
    }
    if (Boolean.FALSE.equals(in.getValue("parallel_tool_calls")) && out.containsKey("tools")) {
      if (tc == null) {
        tc = new JsonObject().put("type", "auto");
      }
      if (!"none".equals(tc.getString("type"))) {
        tc.put("disable_parallel_tool_use", true);
      }
    }
    if (tc != null && (out.containsKey("tools") || "none".equals(tc.getString("type")))) {
      out.put("tool_choice", tc);
    }
  }

  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return "stop";
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  static Usage usage(JsonObject u) {
    if (u == null) {
      return null;
    }
    long cacheRead = Usage.num(u, "cache_read_input_tokens");
    long input = Usage.num(u, "input_tokens") + Usage.num(u, "cache_creation_input_tokens") + cacheRead;
    return new Usage(input, Usage.num(u, "output_tokens"), cacheRead, false);
  }

  @Override
  public JsonObject response(JsonObject upstream, ChatCall call) {
    StringBuilder text = new StringBuilder();
    JsonArray toolCalls = null;
    for (Object o : upstream.getJsonArray("content", new JsonArray())) {
      JsonObject block = (JsonObject) o;
      switch (block.getString("type", "")) {
        case "text" -> text.append(block.getString("text", ""));
        case "tool_use" -> {
          if (toolCalls == null) {
            toolCalls = new JsonArray();
          }
          toolCalls.add(new JsonObject().put("id", block.getString("id")).put("type", "function")
            .put("function", new JsonObject().put("name", block.getString("name"))
              .put("arguments", block.getJsonObject("input", new JsonObject()).encode())));
        }
        default -> {
        }
      }
    }
    Usage usage = usage(upstream.getJsonObject("usage"));
    return OpenAiMessages.completion(call, OpenAiMessages.message(text.toString(), toolCalls),
      finishReason(upstream.getString("stop_reason")), usage == null ? Usage.NONE : usage);
  }

  @Override
  public StreamTranslator stream(ChatCall call) {
    return new StreamTranslator() {
      private final Map<Integer, Integer> toolIndex = new HashMap<>();
      private long inputTokens;
      private long cachedTokens;
      private String stopReason;

      @Override
      public void onEvent(String event, String data, ChunkWriter out) {
        JsonObject e;
        try {
          e = new JsonObject(data);
        } catch (DecodeException ex) {
          return;
        }
        String type = e.getString("type", event == null ? "" : event);
        switch (type) {
          case "message_start" -> {
            Usage u = usage(e.getJsonObject("message", new JsonObject()).getJsonObject("usage"));
            if (u != null) {
              inputTokens = u.promptTokens();
              cachedTokens = u.cachedTokens();
              out.usage(new Usage(inputTokens, u.completionTokens(), cachedTokens, false));
            }
            out.role();
          }
          case "content_block_start" -> {
            JsonObject block = e.getJsonObject("content_block", new JsonObject());
            if ("tool_use".equals(block.getString("type"))) {
              int k = toolIndex.size();
              toolIndex.put(e.getInteger("index", 0), k);
              out.toolCallStart(k, block.getString("id"), block.getString("name", ""), "");
            } else if ("text".equals(block.getString("type"))) {
              out.content(block.getString("text"));
            }
          }
          case "content_block_delta" -> {
            JsonObject delta = e.getJsonObject("delta", new JsonObject());
            switch (delta.getString("type", "")) {
              case "text_delta" -> out.content(delta.getString("text"));
              case "input_json_delta" -> {
                Integer k = toolIndex.get(e.getInteger("index", 0));
                if (k != null) {
                  out.toolCallArgs(k, delta.getString("partial_json"));
                }
              }
              default -> {
              }
            }
          }
          case "message_delta" -> {
            JsonObject delta = e.getJsonObject("delta", new JsonObject());
            if (delta.getString("stop_reason") != null) {
              stopReason = delta.getString("stop_reason");
            }
            JsonObject u = e.getJsonObject("usage");
            if (u != null) {
              if (u.getValue("input_tokens") != null) {
                Usage full = usage(u);
                inputTokens = full.promptTokens();
                cachedTokens = full.cachedTokens();
              }
              out.usage(new Usage(inputTokens, Usage.num(u, "output_tokens"), cachedTokens, false));
            }
          }
          case "message_stop" -> out.finish(finishReason(stopReason));
          case "error" -> out.fail(UpstreamError.of("anthropic", statusOf(e), Buffer.buffer(data), null, null));
          default -> {
          }
        }
      }
    };
  }

  /** Anthropic names the error type in a stream; map it back to the HTTP status it stands for. */
  private static int statusOf(JsonObject e) {
    String type = e.getJsonObject("error", new JsonObject()).getString("type", "");
    return switch (type) {
      case "overloaded_error" -> 529;
      case "rate_limit_error" -> 429;
      case "invalid_request_error" -> 400;
      case "timeout_error" -> 504;
      default -> 500;
    };
  }
}
