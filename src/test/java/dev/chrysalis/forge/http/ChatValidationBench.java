package dev.chrysalis.forge.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the router's contract validation of a chat body costs, for the contract file named by
 * {@code contract} (the working copy, or another version of it to compare): a small body, a long
 * history (80 messages, about 45 KB) and a small body with every union field (`tools`,
 * `tool_choice`, `stop`, `response_format`). Validation only, as {@code Routes} runs it (parsed
 * body bytes in, validated request out). Run with {@code scripts/bench-jmh ChatValidationBench
 * -p contract=openapi/forge.yaml,/path/to/other/forge.yaml}.
 */
@State(Scope.Thread)
@Fork(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChatValidationBench {

  @Param("openapi/forge.yaml")
  public String contract;

  private Vertx vertx;
  private RequestValidator validator;
  private Buffer small;
  private Buffer large;
  private Buffer unions;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    OpenAPIContract loaded = RouterContract.fromText(vertx, Files.readString(Path.of(contract)))
      .await(60, TimeUnit.SECONDS);
    validator = RequestValidator.create(vertx, new CachedValidatorContract(loaded));
    small = chat(2).toBuffer();
    large = chat(80).toBuffer();
    unions = chat(2)
      .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function",
        new JsonObject().put("name", "get_weather").put("parameters", new JsonObject().put("type", "object")))))
      .put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_weather")))
      .put("stop", new JsonArray().add("\n\n").add("END"))
      .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
        new JsonObject().put("name", "answer").put("schema", new JsonObject().put("type", "object"))))
      .toBuffer();
    validate(unions);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject chat(int messages) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < messages; i++) {
      list.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant")
        .put("content", ("Message " + i + ": the quick brown fox jumps over the lazy dog, café, 日本, \uD83D\uDE00. ")
          .repeat(6)));
    }
    return new JsonObject().put("model", "gpt-4o-mini").put("messages", list).put("temperature", 0.2);
  }

  private Object validate(Buffer body) throws Exception {
    ValidatableRequest request = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
      new RequestParameterImpl(body), "application/json");
    return validator.validate(request, "createChatCompletion").await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public Object smallChat() throws Exception {
    return validate(small);
  }

  @Benchmark
  public Object longHistory() throws Exception {
    return validate(large);
  }

  @Benchmark
  public Object everyUnionField() throws Exception {
    return validate(unions);
  }
}
