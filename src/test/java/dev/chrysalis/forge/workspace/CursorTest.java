package dev.chrysalis.forge.workspace;

import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorTest {

  @Test
  void roundTripKeepsMicroseconds() throws Exception {
    OffsetDateTime at = OffsetDateTime.of(2026, 11, 25, 18, 0, 1, 123_456_000, ZoneOffset.UTC);
    Cursor c = Cursor.decode(Cursor.encode(at, "T-1234"));
    assertThat(c.at().toInstant()).isEqualTo(at.toInstant());
    assertThat(c.id()).isEqualTo("T-1234");
    assertThat(Cursor.encode(at, "T-1234")).matches("^[A-Za-z0-9_-]+$");
    assertThat(Cursor.decode(null)).isNull();
  }

  @Test
  void foreignCursorsAreA400() {
    for (String bad : new String[] {"", "!!", "YWJj", "YzE6eDp5", "YzE6MTI6"}) {
      assertThatThrownBy(() -> Cursor.decode(bad)).isInstanceOfSatisfying(ServiceException.class, e -> {
        assertThat(e.failureCode()).isEqualTo(400);
        assertThat(e.getDebugInfo().getString("code")).isEqualTo("invalid_cursor");
      });
    }
  }

  @Test
  void pageLimits() throws Exception {
    assertThat(Page.from(new JsonObject()).limit()).isEqualTo(50);
    assertThat(Page.from(new JsonObject().put("limit", "200")).limit()).isEqualTo(200);
    for (Object bad : new Object[] {0, 201, "x", -3}) {
      assertThatThrownBy(() -> Page.from(new JsonObject().put("limit", bad))).isInstanceOf(ServiceException.class);
    }
  }

  @Test
  void slugsFromNames() {
    assertThat(Projects.slugify("Über Forge 2!")).isEqualTo("uber-forge-2");
    assertThat(Projects.slugify("!!!")).isEqualTo("project");
    assertThat(Projects.slugify("a".repeat(80))).hasSize(64);
  }
}
