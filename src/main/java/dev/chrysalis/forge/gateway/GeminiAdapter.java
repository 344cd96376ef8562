package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Google Gemini generateContent / streamGenerateContent (SSE). The key goes in
 * {@code x-goog-api-key}, never in the URL. Gemini function calls have no id, so the gateway
 * makes one; a Gemini 3 {@code thoughtSignature} must come back unchanged in later turns, so it
 * rides inside the id handed to the client ({@code call_<random>.<signature>}) and is restored
 * when the client sends the call back, without keeping state.
 */
public final class GeminiAdapter implements ProviderAdapter {

  @Override
  public UpstreamCall request(ChatCall call, Credentials credentials) {
    OpenAiMessages.noMultipleChoices(call, "Gemini");
    JsonObject in = call.body();
    JsonObject out = new JsonObject();
    StringBuilder system = new StringBuilder();
    JsonArray contents = new JsonArray();
    Map<String, String> toolNames = new HashMap<>();
    JsonArray list = in.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      JsonObject m = list.getJsonObject(i);
      switch (OpenAiMessages.role(m)) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(OpenAiMessages.text(m.getValue("content")));
        }
        case "assistant" -> append(contents, "model", modelParts(m, i, toolNames));
        case "tool", "function" -> {
          String id = m.getString("tool_call_id", "");
          String name = toolNames.getOrDefault(id, m.getString("name", "tool"));
          append(contents, "user", new JsonArray().add(new JsonObject().put("functionResponse",
            new JsonObject().put("name", name).put("response", toolResponse(m.getValue("content"))))));
        }
        default -> append(contents, "user", userParts(m.getValue("content")));
      }
    }
    if (system.length() > 0) {
      out.put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", system.toString()))));
    }
    out.put("contents", contents);
    JsonObject gen = generationConfig(in, call);
    if (!gen.isEmpty()) {
      out.put("generationConfig", gen);
    }
    tools(in, out);
    MultiMap headers = UpstreamCall.jsonHeaders().add("x-goog-api-key", credentials.key());
    String model = URLEncoder.encode(call.upstreamModel(), StandardCharsets.UTF_8);
    String url = credentials.baseUrl() + "/v1beta/models/" + model
      + (call.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent");
    if (call.stream()) {
      headers.set("accept", "text/event-stream");
    }
    return new UpstreamCall(url, headers, out.toBuffer());
  }

  private static void append(JsonArray contents, String role, JsonArray parts) {
    if (!contents.isEmpty()) {
      JsonObject last = contents.getJsonObject(contents.size() - 1);
      if (last.getString("role").equals(role)) {
        last.getJsonArray("parts").addAll(parts);
        return;
      }
    }
    contents.add(new JsonObject().put("role", role).put("parts", parts));
  }

  private static JsonObject toolResponse(Object content) {
    String text = OpenAiMessages.text(content);
    try {
      Object parsed = new JsonObject(text);
      return (JsonObject) parsed;
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("output", text);
    }
  }

  private static JsonArray userParts(Object content) {
    JsonArray parts = new JsonArray();
    if (content instanceof JsonArray list) {
      for (Object o : list) {
        JsonObject part = (JsonObject) o;
        if ("image_url".equals(part.getString("type"))) {
          Object img = part.getValue("image_url");
          String url = img instanceof JsonObject j ? j.getString("url") : String.valueOf(img);
          String[] data = OpenAiMessages.dataUrl(url);
          parts.add(data != null
            ? new JsonObject().put("inlineData", new JsonObject().put("mimeType", data[0]).put("data", data[1]))
            : new JsonObject().put("fileData", new JsonObject().put("fileUri", url)));
        } else if (part.getValue("text") instanceof String t) {
          parts.add(new JsonObject().put("text", t));
        }
      }
    } else {
      parts.add(new JsonObject().put("text", content == null ? "" : String.valueOf(content)));
    }
    return parts;
  }

  private static JsonArray modelParts(JsonObject m, int index, Map<String, String> toolNames) {
    JsonArray parts = new JsonArray();
    String text = OpenAiMessages.text(m.getValue("content"));
    if (!text.isEmpty()) {
      parts.add(new JsonObject().put("text", text));
    }
    JsonArray calls = m.getJsonArray("tool_calls");
    if (calls != null) {
      for (Object o : calls) {
        JsonObject call = (JsonObject) o;
        String name = call.getJsonObject("function", new JsonObject()).getString("name");
        String id = call.getString("id", "");
        toolNames.put(id, name);
        JsonObject part = new JsonObject().put("functionCall",
          new JsonObject().put("name", name).put("args", OpenAiMessages.arguments(call, index)));
        String signature = signatureOf(id);
        if (signature != null) {
          part.put("thoughtSignature", signature);
        }
        parts.add(part);
      }
    }
    return parts;
  }

  private static JsonObject generationConfig(JsonObject in, ChatCall call) {
    JsonObject gen = new JsonObject();
    if (in.getValue("temperature") instanceof Number t) {
      gen.put("temperature", t);
    }
    if (in.getValue("top_p") instanceof Number p) {
      gen.put("topP", p);
    }
    if (call.maxTokens() != null) {
      gen.put("maxOutputTokens", call.maxTokens());
    }
    JsonArray stop = OpenAiMessages.stopList(in.getValue("stop"));
    if (stop != null) {
      gen.put("stopSequences", stop);
    }
    if (in.getValue("seed") instanceof Number s) {
      gen.put("seed", s);
    }
    if (in.getValue("presence_penalty") instanceof Number p) {
      gen.put("presencePenalty", p);
    }
    if (in.getValue("frequency_penalty") instanceof Number f) {
      gen.put("frequencyPenalty", f);
    }
    if (in.getValue("response_format") instanceof JsonObject rf) {
      String type = rf.getString("type", "text");
      if (type.equals("json_object") || type.equals("json_schema")) {
        gen.put("responseMimeType", "application/json");
      }
      JsonObject schema = rf.getJsonObject("json_schema");
      if (type.equals("json_schema") && schema != null && schema.getJsonObject("schema") != null) {
        gen.put("responseJsonSchema", schema.getJsonObject("schema"));
      }
    }
    return gen;
  }

  private static void tools(JsonObject in, JsonObject out) {
    JsonArray tools = in.getJsonArray("tools");
    if (tools != null && !tools.isEmpty()) {
      JsonArray decls = new JsonArray();
      for (Object o : tools) {
        JsonObject fn = ((JsonObject) o).getJsonObject("function", new JsonObject());
        JsonObject d = new JsonObject().put("name", fn.getString("name"));
        if (fn.getString("description") != null) {
          d.put("description", fn.getString("description"));
        }
        if (fn.getJsonObject("parameters") != null) {
          d.put("parametersJsonSchema", fn.getJsonObject("parameters"));
        }
        decls.add(d);
      }
      out.put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", decls)));
    }
    Object choice = in.getValue("tool_choice");
    JsonObject config = null;
    if (choice instanceof String s) {
      config = new JsonObject().put("mode", switch (s) {
        case "required" -> "ANY";
        case "none" -> "NONE";
        default -> "AUTO";
      });
    } else if (choice instanceof JsonObject named) {
      config = new JsonObject().put("mode", "ANY").put("allowedFunctionNames",
        new JsonArray().add(named.getJsonObject("function", new JsonObject()).getString("name")));
    }
    if (config != null && out.containsKey("tools")) {
      out.put("toolConfig", new JsonObject().put("functionCallingConfig", config));
    }
  }

  static String newCallId(String signature) {
    String id = "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    if (signature == null || signature.isEmpty()) {
      return id;
    }
    return id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.getBytes(StandardCharsets.UTF_8));
  }

  static String signatureOf(String callId) {
    int dot = callId == null ? -1 : callId.indexOf('.');
    if (dot < 0 || !callId.startsWith("call_")) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(callId.substring(dot + 1)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String finishReason(String reason, boolean calledTools) {
    if (reason == null) {
      return calledTools ? "tool_calls" : "stop";
    }
    return switch (reason) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE" ->
        "content_filter";
      default -> calledTools ? "tool_calls" : "stop";
    };
  }

  static Usage usage(JsonObject u) {
    if (u == null) {
      return null;
    }
    long prompt = Usage.num(u, "promptTokenCount") + Usage.num(u, "toolUsePromptTokenCount");
    long completion = Usage.num(u, "candidatesTokenCount") + Usage.num(u, "thoughtsTokenCount");
    return new Usage(prompt, completion, Usage.num(u, "cachedContentTokenCount"), false);
  }

  @Override
  public JsonObject response(JsonObject upstream, ChatCall call) {
    JsonArray candidates = upstream.getJsonArray("candidates");
    Usage usage = usage(upstream.getJsonObject("usageMetadata"));
    if (candidates == null || candidates.isEmpty()) {
      return OpenAiMessages.completion(call, OpenAiMessages.message("", null), "content_filter",
        usage == null ? Usage.NONE : usage);
    }
    JsonObject candidate = candidates.getJsonObject(0);
    StringBuilder text = new StringBuilder();
    JsonArray toolCalls = null;
    for (Object o : candidate.getJsonObject("content", new JsonObject()).getJsonArray("parts", new JsonArray())) {
      JsonObject part = (JsonObject) o;
      if (part.getValue("text") instanceof String t && !Boolean.TRUE.equals(part.getValue("thought"))) {
        text.append(t);
      }
      JsonObject fc = part.getJsonObject("functionCall");
      if (fc != null) {
        if (toolCalls == null) {
          toolCalls = new JsonArray();
        }
        toolCalls.add(new JsonObject().put("id", newCallId(part.getString("thoughtSignature"))).put("type", "function")
          .put("function", new JsonObject().put("name", fc.getString("name"))
            .put("arguments", fc.getJsonObject("args", new JsonObject()).encode())));
      }
    }
    return OpenAiMessages.completion(call, OpenAiMessages.message(text.toString(), toolCalls),
      finishReason(candidate.getString("finishReason"), toolCalls != null), usage == null ? Usage.NONE : usage);
  }

  @Override
  public StreamTranslator stream(ChatCall call) {
    return new StreamTranslator() {
      private int tools;
      private String finish;
      private boolean blocked;

      @Override
      public void onEvent(String event, String data, ChunkWriter out) {
        JsonObject chunk;
        try {
          Object json = new io.vertx.core.json.JsonArray("[" + data + "]").getValue(0);
          if (json instanceof JsonArray arr && !arr.isEmpty()) {
            json = arr.getValue(0);
          }
          if (!(json instanceof JsonObject o)) {
            return;
          }
          chunk = o;
        } catch (DecodeException e) {
          return;
        }
        if (chunk.getValue("error") != null) {
          JsonObject err = chunk.getValue("error") instanceof JsonObject e ? e : new JsonObject();
          out.fail(UpstreamError.of("google", err.getInteger("code", 502), chunk.toBuffer(), null, null));
          return;
        }
        out.role();
        Usage u = usage(chunk.getJsonObject("usageMetadata"));
        if (u != null) {
          out.usage(u);
        }
        JsonArray candidates = chunk.getJsonArray("candidates");
        if (candidates == null || candidates.isEmpty()) {
          if (chunk.getJsonObject("promptFeedback", new JsonObject()).getString("blockReason") != null) {
            blocked = true;
          }
          return;
        }
        JsonObject candidate = candidates.getJsonObject(0);
        for (Object o : candidate.getJsonObject("content", new JsonObject()).getJsonArray("parts", new JsonArray())) {
          JsonObject part = (JsonObject) o;
          if (part.getValue("text") instanceof String t && !Boolean.TRUE.equals(part.getValue("thought"))) {
            out.content(t);
          }
          JsonObject fc = part.getJsonObject("functionCall");
          if (fc != null) {
            out.toolCallStart(tools++, newCallId(part.getString("thoughtSignature")), fc.getString("name", ""),
              fc.getJsonObject("args", new JsonObject()).encode());
          }
        }
        if (candidate.getString("finishReason") != null) {
          finish = candidate.getString("finishReason");
        }
      }

      @Override
      public void onEnd(ChunkWriter out) {
        out.finish(blocked ? "content_filter" : finishReason(finish, tools > 0));
      }
    };
  }
}
