package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The fake OpenAI upstream of the gateway benchmark: answers {@code POST /v1/chat/completions}
 * at once with a fixed completion, or with a stream of 20 chunks written together; a model name
 * containing {@code drip} streams one chunk per second for {@code --drip-seconds} (for the
 * concurrent-streams test). {@code BenchUpstream --port 18940}
 */
public final class BenchUpstream {

  private static final Buffer COMPLETION = new JsonObject()
    .put("id", "chatcmpl-bench").put("object", "chat.completion").put("created", 1760000000).put("model", "gpt-4o-mini")
    .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
      .put("message", new JsonObject().put("role", "assistant").put("content", "Hello there, this is a benchmark answer."))
      .put("finish_reason", "stop")))
    .put("usage", new JsonObject().put("prompt_tokens", 20).put("completion_tokens", 9).put("total_tokens", 29))
    .toBuffer();

  private static String chunk(String delta, String finish) {
    return "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
      + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
      + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
  }

  private static final Buffer STREAM;

  static {
    StringBuilder sb = new StringBuilder(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
    for (int i = 0; i < 20; i++) {
      sb.append(chunk("{\"content\":\"word" + i + " \"}", null));
    }
    sb.append(chunk("{}", "stop"));
    sb.append("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
      + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":20,\"total_tokens\":40}}\n\n");
    sb.append("data: [DONE]\n\n");
    STREAM = Buffer.buffer(sb.toString());
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(arg(args, "--port", "18940"));
    int dripSeconds = Integer.parseInt(arg(args, "--drip-seconds", "15"));
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> handle(vertx, req, body, dripSeconds)))
      .listen(port, "127.0.0.1").await();
    System.out.println("bench upstream on " + port);
  }

  private static void handle(Vertx vertx, HttpServerRequest req, Buffer body, int dripSeconds) {
    HttpServerResponse res = req.response();
    JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
    if (!Boolean.TRUE.equals(json.getValue("stream"))) {
      res.putHeader("content-type", "application/json").end(COMPLETION);
      return;
    }
    res.setChunked(true).putHeader("content-type", "text/event-stream");
    if (!json.getString("model", "").contains("drip")) {
      res.end(STREAM);
      return;
    }
    res.write(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
    int[] sent = {0};
    vertx.setPeriodic(1000, id -> {
      if (res.closed()) {
        vertx.cancelTimer(id);
        return;
      }
      if (++sent[0] >= dripSeconds) {
        vertx.cancelTimer(id);
        res.end(chunk("{}", "stop") + "data: [DONE]\n\n");
      } else {
        res.write(chunk("{\"content\":\"tick \"}", null));
      }
    });
  }

  static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
