package dev.chrysalis.forge.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The web console's static files, read once from {@code console/} on the class path (a directory
 * in development, the jar in production) and kept in memory. The version is the SHA-256 of every
 * file's name and bytes, so a changed file gets a new URL and the old one can be cached forever;
 * {@code index.html} names its assets as {@code /console/@ASSETS@/…}, filled in with the version.
 */
public final class ConsoleAssets {

  static final String ROOT = "console/";
  static final String INDEX = "index.html";
  private static final String ASSETS_MARKER = "@ASSETS@";

  private final String version;
  private final Buffer index;
  private final Map<String, Buffer> files;

  private ConsoleAssets(String version, Buffer index, Map<String, Buffer> files) {
    this.version = version;
    this.index = index;
    this.files = files;
  }

  /** Reads the files off the event loop. */
  public static Future<ConsoleAssets> load(Vertx vertx) {
    return vertx.executeBlocking(ConsoleAssets::read, false);
  }

  static ConsoleAssets read() throws IOException, URISyntaxException, NoSuchAlgorithmException {
    return read(ConsoleAssets.class.getClassLoader());
  }

  /** The files below {@code console/} as this class loader sees them (a jar or a directory). */
  static ConsoleAssets read(ClassLoader loader) throws IOException, URISyntaxException, NoSuchAlgorithmException {
    URL indexUrl = loader.getResource(ROOT + INDEX);
    if (indexUrl == null) {
      throw new IllegalStateException("console/index.html is not on the class path");
    }
    Map<String, byte[]> raw = new TreeMap<>();
    if ("jar".equals(indexUrl.getProtocol())) {
      JarURLConnection conn = (JarURLConnection) indexUrl.openConnection();
      conn.setUseCaches(false);
      try (JarFile jar = conn.getJarFile()) {
        for (JarEntry e : Collections.list(jar.entries())) {
          if (!e.isDirectory() && e.getName().startsWith(ROOT)) {
            try (InputStream in = jar.getInputStream(e)) {
              raw.put(e.getName().substring(ROOT.length()), in.readAllBytes());
            }
          }
        }
      }
    } else {
      Path root = Path.of(indexUrl.toURI()).getParent();
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).forEach(p -> {
          try {
            raw.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Map<String, Buffer> files = new TreeMap<>();
    raw.forEach((name, bytes) -> {
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(bytes);
      files.put(name, Buffer.buffer(bytes));
    });
    String version = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    String page = new String(raw.get(INDEX), StandardCharsets.UTF_8).replace(ASSETS_MARKER, version);
    files.remove(INDEX);
    return new ConsoleAssets(version, Buffer.buffer(page), Collections.unmodifiableMap(files));
  }

  /** The content hash that versions every asset URL. */
  public String version() {
    return version;
  }

  /** The page, with asset URLs carrying the version. */
  Buffer index() {
    return index;
  }

  /** A file below {@code console/} by its relative name, or null. */
  Buffer file(String name) {
    return files.get(name);
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "html" -> "text/html; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      case "json" -> "application/json";
      default -> "application/octet-stream";
    };
  }
}
