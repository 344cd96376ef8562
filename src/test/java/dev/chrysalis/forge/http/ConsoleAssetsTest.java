package dev.chrysalis.forge.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console's files read from a jar (as {@code ./scripts/run} serves them) and from a directory alike. */
class ConsoleAssetsTest {

  private static final Map<String, String> FILES = new TreeMap<>(Map.of(
    "console/index.html", "<link href=\"/console/@ASSETS@/console.css\"><script type=\"module\" src=\"/console/@ASSETS@/js/app.js\"></script>",
    "console/console.css", "body { margin: 0; }",
    "console/js/app.js", "import {h} from './dom.js';",
    "console/js/dom.js", "export function h() {}"));

  private static Path jar(Path dir, Map<String, String> files) throws Exception {
    Path jar = dir.resolve("console.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry("console/"));
      j.closeEntry();
      for (var e : files.entrySet()) {
        j.putNextEntry(new JarEntry(e.getKey()));
        j.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        j.closeEntry();
      }
      j.putNextEntry(new JarEntry("other/ignored.txt"));
      j.write("not the console".getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
    return jar;
  }

  private static Path directory(Path dir, Map<String, String> files) throws Exception {
    Path root = dir.resolve("classes");
    for (var e : files.entrySet()) {
      Path f = root.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
    }
    return root;
  }

  private static ConsoleAssets read(Path classPathEntry) throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classPathEntry.toUri().toURL()}, null)) {
      return ConsoleAssets.read(loader);
    }
  }

  @Test
  void aJarAndADirectoryWithTheSameFilesGiveTheSameVersionAndContent(@TempDir Path tmp) throws Exception {
    ConsoleAssets fromJar = read(jar(tmp, FILES));
    ConsoleAssets fromDir = read(directory(tmp, FILES));
    assertThat(fromJar.version()).matches("[0-9a-f]{16}").isEqualTo(fromDir.version());
    String page = fromJar.index().toString(StandardCharsets.UTF_8);
    assertThat(page).doesNotContain("@ASSETS@").contains("/console/" + fromJar.version() + "/js/app.js");
    assertThat(fromJar.file("js/dom.js").toString(StandardCharsets.UTF_8)).isEqualTo("export function h() {}");
    assertThat(fromDir.file("console.css").toString(StandardCharsets.UTF_8)).isEqualTo("body { margin: 0; }");
    assertThat(fromJar.file("index.html")).as("the page is only served at /").isNull();
    assertThat(fromJar.file("../other/ignored.txt")).isNull();
  }

  @Test
  void changingAnyFileChangesTheVersion(@TempDir Path tmp) throws Exception {
    String before = read(jar(tmp, FILES)).version();
    Map<String, String> changed = new TreeMap<>(FILES);
    changed.put("console/js/dom.js", "export function h() { return 1; }");
    Files.delete(tmp.resolve("console.jar"));
    assertThat(read(jar(tmp, changed)).version()).isNotEqualTo(before);
  }

  @Test
  void aClassPathWithoutTheConsoleRefusesToStart(@TempDir Path tmp) {
    assertThatThrownBy(() -> read(tmp)).isInstanceOf(IllegalStateException.class).hasMessageContaining("console/index.html");
  }
}
