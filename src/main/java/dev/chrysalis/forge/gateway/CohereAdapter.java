package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Cohere Chat v2 ({@code POST /v2/chat}). Messages keep the OpenAI shape (developer becomes
 * system, content is reduced to text); a temperature above 1 is refused before this runs
 * ({@link ParameterRules}); top_p is sent as Cohere's p, the nearest value in its 0.01–0.99;
 * usage is read from {@code billed_units}, else {@code tokens}.
 */
public final class CohereAdapter implements ProviderAdapter {

  @Override
  public UpstreamCall request(ChatCall call, Credentials credentials) {
    OpenAiMessages.noMultipleChoices(call, "Cohere");
    JsonObject in = call.body();
    JsonObject out = new JsonObject().put("model", call.upstreamModel());
    JsonArray messages = new JsonArray();
    for (Object o : in.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      String role = OpenAiMessages.role(m);
      JsonObject c = new JsonObject();
      switch (role) {
        case "system", "developer" -> c.put("role", "system").put("content", OpenAiMessages.text(m.getValue("content")));
        case "assistant" -> {
          c.put("role", "assistant");
          String text = OpenAiMessages.text(m.getValue("content"));
          if (!text.isEmpty()) {
            c.put("content", text);
          }
          if (m.getJsonArray("tool_calls") != null) {
            c.put("tool_calls", m.getJsonArray("tool_calls"));
          }
        }
        case "tool", "function" -> c.put("role", "tool").put("tool_call_id", m.getString("tool_call_id", ""))
          .put("content", OpenAiMessages.text(m.getValue("content")));
        default -> c.put("role", "user").put("content", OpenAiMessages.text(m.getValue("content")));
      }
      messages.add(c);
    }
    out.put("messages", messages);
    if (in.getValue("temperature") instanceof Number t) {
      out.put("temperature", t.doubleValue());
    }
    if (in.getValue("top_p") instanceof Number p) {
      out.put("p", OpenAiMessages.clamp(p.doubleValue(), 0.01, 0.99));
    }
    if (call.maxTokens() != null) {
      out.put("max_tokens", call.maxTokens());
    }
    JsonArray stop = OpenAiMessages.stopList(in.getValue("stop"));
    if (stop != null) {
      out.put("stop_sequences", stop);
    }
    for (String same : new String[]{"seed", "frequency_penalty", "presence_penalty"}) {
      if (in.getValue(same) instanceof Number n) {
        out.put(same, n);
      }
    }
    if (in.getValue("response_format") instanceof JsonObject rf && !"text".equals(rf.getString("type"))) {
      JsonObject format = new JsonObject().put("type", "json_object");
      JsonObject schema = rf.getJsonObject("json_schema");
      if (schema != null && schema.getJsonObject("schema") != null) {
        format.put("json_schema", schema.getJsonObject("schema"));
      }
      out.put("response_format", format);
    }
    tools(in, out);
    if (call.stream()) {
      out.put("stream", true);
    }
    MultiMap headers = UpstreamCall.jsonHeaders().add("authorization", "Bearer " + credentials.key());
    if (call.stream()) {
      headers.set("accept", "text/event-stream");
    }
    return new UpstreamCall(credentials.baseUrl() + "/v2/chat", headers, out.toBuffer());
  }

  private static void tools(JsonObject in, JsonObject out) {
    JsonArray tools = in.getJsonArray("tools");
    if (tools == null || tools.isEmpty()) {
      return;
    }
    Object choice = in.getValue("tool_choice");
    if (choice instanceof JsonObject named) {
      String name = named.getJsonObject("function", new JsonObject()).getString("name");
      JsonArray only = new JsonArray();
      tools.forEach(t -> {
        if (name != null && name.equals(((JsonObject) t).getJsonObject("function", new JsonObject()).getString("name"))) {
          only.add(t);
        }
      });
      out.put("tools", only.isEmpty() ? tools : only).put("tool_choice", "REQUIRED");
      return;
    }
    out.put("tools", tools);
    if ("required".equals(choice)) {
      out.put("tool_choice", "REQUIRED");
    } else if ("none".equals(choice)) {
      out.put("tool_choice", "NONE");
    }
  }

  static String finishReason(String reason) {
    if (reason == null) {
      return "stop";
    }
    return switch (reason) {
      case "MAX_TOKENS" -> "length";
      case "TOOL_CALL" -> "tool_calls";
      default -> "stop";
    };
  }

  static boolean failed(String reason) {
    return "ERROR".equals(reason) || "TIMEOUT".equals(reason);
  }

  static Usage usage(JsonObject u) {
    if (u == null) {
      return null;
    }
    JsonObject counts = u.getJsonObject("billed_units");
    if (counts == null || (counts.getValue("input_tokens") == null && counts.getValue("output_tokens") == null)) {
      counts = u.getJsonObject("tokens");
    }
    if (counts == null) {
      return null;
    }
    return new Usage(Usage.num(counts, "input_tokens"), Usage.num(counts, "output_tokens"),
      Usage.num(u, "cached_tokens"), false);
  }

  @Override
  public JsonObject response(JsonObject upstream, ChatCall call) {
    String reason = upstream.getString("finish_reason");
    if (failed(reason)) {
      throw UpstreamError.of("cohere", "TIMEOUT".equals(reason) ? 504 : 500, null, null, null);
    }
    JsonObject message = upstream.getJsonObject("message", new JsonObject());
    Object content = message.getValue("content");
    String text = OpenAiMessages.text(content);
    JsonArray toolCalls = null;
    JsonArray calls = message.getJsonArray("tool_calls");
    if (calls != null && !calls.isEmpty()) {
      toolCalls = new JsonArray();
      for (Object o : calls) {
        JsonObject c = (JsonObject) o;
        JsonObject fn = c.getJsonObject("function", new JsonObject());
        Object args = fn.getValue("arguments");
        toolCalls.add(new JsonObject().put("id", c.getString("id")).put("type", "function")
          .put("function", new JsonObject().put("name", fn.getString("name"))
            .put("arguments", args instanceof String s ? s : args == null ? "{}" : args.toString())));
      }
    }
    Usage usage = usage(upstream.getJsonObject("usage"));
    return OpenAiMessages.completion(call, OpenAiMessages.message(text, toolCalls), finishReason(reason),
      usage == null ? Usage.NONE : usage);
  }

  @Override
  public StreamTranslator stream(ChatCall call) {
    return new StreamTranslator() {
      private final Map<Integer, Integer> toolIndex = new HashMap<>();

      @Override
      public void onEvent(String event, String data, ChunkWriter out) {
        if (data.startsWith("[DONE]")) {
          return;
        }
        JsonObject e;
        try {
          e = new JsonObject(data);
        } catch (DecodeException ex) {
          return;
        }
        JsonObject message = e.getJsonObject("delta", new JsonObject()).getJsonObject("message", new JsonObject());
        switch (e.getString("type", event == null ? "" : event)) {
          case "message-start" -> out.role();
          case "content-delta" -> {
            Object content = message.getValue("content");
            if (content instanceof JsonObject c) {
              out.content(c.getString("text"));
            }
          }
          case "tool-call-start" -> {
            JsonObject tc = message.getValue("tool_calls") instanceof JsonObject o ? o
              : message.getValue("tool_calls") instanceof JsonArray a && !a.isEmpty() ? a.getJsonObject(0)
              : new JsonObject();
            int k = toolIndex.size();
            toolIndex.put(e.getInteger("index", k), k);
            JsonObject fn = tc.getJsonObject("function", new JsonObject());
            out.toolCallStart(k, tc.getString("id"), fn.getString("name", ""), fn.getString("arguments", ""));
          }
          case "tool-call-delta" -> {
            Integer k = toolIndex.get(e.getInteger("index", 0));
            JsonObject tc = message.getValue("tool_calls") instanceof JsonObject o ? o : new JsonObject();
            if (k != null) {
              out.toolCallArgs(k, tc.getJsonObject("function", new JsonObject()).getString("arguments"));
            }
          }
          case "message-end" -> {
            JsonObject delta = e.getJsonObject("delta", new JsonObject());
            Usage u = usage(delta.getJsonObject("usage"));
            out.usage(u);
            String reason = delta.getString("finish_reason");
            if (failed(reason) || delta.getValue("error") != null) {
              out.fail(UpstreamError.of("cohere", "TIMEOUT".equals(reason) ? 504 : 500,
                new JsonObject().put("message", String.valueOf(delta.getValue("error", "generation failed"))).toBuffer(),
                null, null));
              return;
            }
            out.finish(finishReason(reason));
          }
          default -> {
          }
        }
      }
    };
  }
}
