package dev.chrysalis.forge.console;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's page and assets as HTTP: caching, security headers, versioned URLs, misses in our error shape. */
class ConsoleRoutesApiTest {

  private static final Pattern ASSET = Pattern.compile("/console/([0-9a-f]{16})/([A-Za-z0-9/._-]+)");
  private static Api api;

  @BeforeAll
  static void start() {
    api = TestApp.shared().api();
  }

  private static void assertSecurityHeaders(Api.Resp r) {
    assertThat(r.header("content-security-policy"))
      .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'")
      .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
    assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(r.header("referrer-policy")).isEqualTo("no-referrer");
    assertThat(r.header("x-frame-options")).isEqualTo("DENY");
  }

  @Test
  void pageIsServedAtTheRootUncachedWithVersionedAssets() {
    Api.Resp page = api.raw("GET", "/").send().expect(200);
    assertThat(page.header("content-type")).startsWith("text/html");
    assertThat(page.header("cache-control")).isEqualTo("no-store");
    assertSecurityHeaders(page);
    assertThat(page.text()).doesNotContain("@ASSETS@").doesNotContain("<script>").doesNotContain(" style=");

    Matcher m = ASSET.matcher(page.text());
    int assets = 0;
    String version = null;
    while (m.find()) {
      assets++;
      version = m.group(1);
      Api.Resp asset = api.raw("GET", m.group()).send().expect(200);
      assertThat(asset.header("cache-control")).isEqualTo("public, max-age=31536000, immutable");
      assertSecurityHeaders(asset);
      assertThat(asset.header("content-type")).startsWith(m.group(2).endsWith(".css") ? "text/css" : "text/javascript");
    }
    assertThat(assets).as("the page links its stylesheet and its script").isEqualTo(2);

    // modules import each other relatively, so they load under the same version
    Api.Resp dom = api.raw("GET", "/console/" + version + "/js/dom.js").send().expect(200);
    assertThat(dom.text()).contains("export function h(");
  }

  @Test
  void otherVersionsAndUnknownFilesAre404InOurShape() {
    String version = versionOf(api.raw("GET", "/").send().text());
    for (String path : List.of("/console/0000000000000000/console.css", "/console/" + version + "/nope.js",
      "/console/" + version + "/index.html", "/console/" + version, "/console/", "/console/" + version + "/../console.css")) {
      Api.Resp r = api.raw("GET", path).send();
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.error().getString("type")).as(path).isEqualTo("not_found");
      assertThat(r.header("cache-control")).as(path).isNotEqualTo("public, max-age=31536000, immutable");
    }
  }

  @Test
  void everyFileUnderTheConsoleIsServedAndNoneUsesInnerHtmlOrInlineHandlers() throws IOException {
    String version = versionOf(api.raw("GET", "/").send().text());
    Path root = Path.of("src/main/resources/console");
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = root.relativize(f).toString().replace('\\', '/');
        String text = Files.readString(f);
        assertThat(text).as(name).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
          "eval(", "new Function", " onclick=", " onload=", " onerror=");
        if (!name.equals("index.html")) {
          Api.Resp r = api.raw("GET", "/console/" + version + "/" + name).send().expect(200);
          assertThat(r.text()).as(name).isEqualTo(text);
        }
      }
    }
  }

  @Test
  void apiDocsAndApiPathsAreUnchanged() {
    assertThat(api.raw("GET", "/docs").send().expect(200).text()).contains("swagger-ui");
    assertThat(api.raw("GET", "/health").send().expect(200).header("content-security-policy")).isNull();
    Api.Resp miss = api.raw("GET", "/no/such/route").send().expect(404);
    assertThat(miss.error().getString("code")).isEqualTo("route_not_found");
  }

  private static String versionOf(String page) {
    Matcher m = ASSET.matcher(page);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
