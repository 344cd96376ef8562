package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads {@code conf/forge.yaml} (from the working directory, {@code CHRYSALIS_CONFIG}, or the copy
 * inside the jar) and applies the environment on top. The result is one JSON tree that every
 * verticle receives as its config; each package reads its own section.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  public static JsonObject load(Map<String, String> env) {
    JsonObject base = readYaml(env.get("CHRYSALIS_CONFIG"));
    EnvOverrides.apply(base, env);
    return base;
  }

  static JsonObject readYaml(String explicitPath) {
    try {
      if (explicitPath != null && !explicitPath.isBlank()) {
        return parse(Files.newInputStream(Path.of(explicitPath)));
      }
      Path local = Path.of("conf", "forge.yaml");
      if (Files.isRegularFile(local)) {
        return parse(Files.newInputStream(local));
      }
      InputStream bundled = ConfigLoader.class.getClassLoader().getResourceAsStream("conf/forge.yaml");
      if (bundled == null) {
        throw new IllegalStateException("conf/forge.yaml not found in the working directory or the jar");
      }
      return parse(bundled);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read configuration: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject parse(InputStream in) throws IOException {
    try (in) {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (tree == null) {
        return new JsonObject();
      }
      if (!(tree instanceof Map)) {
        throw new IllegalStateException("configuration root must be a mapping");
      }
      return toJson((Map<String, Object>) tree);
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject toJson(Map<String, Object> map) {
    JsonObject out = new JsonObject();
    map.forEach((k, v) -> out.put(k, toJsonValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object toJsonValue(Object v) {
    if (v instanceof Map) {
      return toJson((Map<String, Object>) v);
    }
    if (v instanceof java.util.List<?> list) {
      JsonArray arr = new JsonArray();
      list.forEach(item -> arr.add(toJsonValue(item)));
      return arr;
    }
    return v;
  }
}
