package dev.chrysalis.forge.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped logback.xml: CHRYSALIS_LOG_FORMAT=json gives one JSON object per line; default is text. */
class LogFormatTest {

  @Test
  void jsonFormatWritesOneJsonObjectPerLine() throws Exception {
    List<String> lines = logWith("json");
    assertThat(lines).hasSize(2);
    JsonObject first = new JsonObject(lines.get(0));
    assertThat(first.getString("level")).isEqualTo("INFO");
    assertThat(first.getString("loggerName")).isEqualTo("forge.access");
    assertThat(first.getString("formattedMessage")).isEqualTo("GET /users/me 200 3ms id=req_1 user=usr_1");
    assertThat(first.getLong("timestamp")).isPositive();
    JsonObject second = new JsonObject(lines.get(1));
    assertThat(second.getString("level")).isEqualTo("WARN");
    assertThat(second.getString("formattedMessage")).contains("line \"two\"");
  }

  @Test
  void textIsTheDefault() throws Exception {
    List<String> lines = logWith(null);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("INFO").contains("forge.access").endsWith("GET /users/me 200 3ms id=req_1 user=usr_1");
    assertThat(lines.get(0)).doesNotStartWith("{");
  }

  @Test
  void anUnknownFormatFallsBackToTextAndSaysSo() throws Exception {
    List<String> errors = new java.util.ArrayList<>();
    List<String> lines = logWith("xml", errors);
    assertThat(errors).anyMatch(l -> l.contains("CHRYSALIS_LOG_FORMAT must be text or json"));
    assertThat(lines).anyMatch(l -> l.endsWith("GET /users/me 200 3ms id=req_1 user=usr_1") && !l.startsWith("{"));
  }

  private static List<String> logWith(String format) throws Exception {
    return logWith(format, new java.util.ArrayList<>());
  }

  private static List<String> logWith(String format, List<String> configErrors) throws Exception {
    URL config = LogFormatTest.class.getClassLoader().getResource("logback.xml");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      if (format != null) {
        context.putProperty("CHRYSALIS_LOG_FORMAT", format);
      }
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(config);
      context.getLogger("forge.access").info("GET {} {} {}ms id={} user={}", "/users/me", 200, 3, "req_1", "usr_1");
      context.getLogger("dev.chrysalis.forge.Test").warn("line \"two\"");
      context.getStatusManager().getCopyOfStatusList().stream()
        .filter(st -> st.getLevel() == ch.qos.logback.core.status.Status.ERROR).forEach(st -> configErrors.add(st.getMessage()));
    } finally {
      context.stop();
      System.setOut(original);
    }
    return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.isBlank()).toList();
  }
}
