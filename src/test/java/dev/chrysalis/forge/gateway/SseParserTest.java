package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SseParserTest {

  private final List<String> events = new ArrayList<>();
  private final SseParser parser = new SseParser((event, data) -> events.add(event + "|" + data));

  @Test
  void namedEventsCommentsAndMultiLineData() {
    parser.feed(Buffer.buffer(": keep-alive\n\nevent: ping\ndata: {\"a\":1}\n\ndata: x\ndata: y\nid: 3\n\n"));
    assertThat(events).containsExactly("ping|{\"a\":1}", "null|x\ny");
  }

  @Test
  void everyLineEndingAndSplitsAnywhere() {
    byte[] all = "data: one\r\n\r\ndata: two\r\rdata: three\n\n".getBytes(StandardCharsets.UTF_8);
    for (byte b : all) {
      parser.feed(Buffer.buffer(new byte[]{b}));
    }
    assertThat(events).containsExactly("null|one", "null|two", "null|three");
  }

  @Test
  void multiByteCharactersSplitAcrossChunksSurvive() {
    byte[] all = "data: héllo ✓\n\n".getBytes(StandardCharsets.UTF_8);
    parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(all, 0, 9)));
    parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(all, 9, all.length)));
    assertThat(events).containsExactly("null|héllo ✓");
  }

  @Test
  void ndjsonLinesAndAnUnterminatedLastEvent() {
    parser.feed(Buffer.buffer("{\"type\":\"message-start\"}\n{\"type\":\"message-end\"}\ndata: last"));
    parser.end();
    assertThat(events).containsExactly("null|{\"type\":\"message-start\"}", "null|{\"type\":\"message-end\"}", "null|last");
  }
}
