package dev.chrysalis.forge.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads schemas of the raw contract (following local {@code $ref}s, merging {@code allOf}) and
 * generates values that satisfy them: required properties always, optional ones at random,
 * strings within their length and pattern, numbers within their bounds, enums from their list.
 */
final class SchemaValues {

  private static final Pattern ITEMS_REF = Pattern.compile("Items: (#/components/schemas/[A-Za-z0-9_]+)");

  private final JsonObject root;
  private final Random random;

  SchemaValues(JsonObject root, Random random) {
    this.root = root;
    this.random = random;
  }

  /** The schema with $ref followed and allOf merged into one object schema. */
  JsonObject resolve(Object schema) {
    if (!(schema instanceof JsonObject s)) {
      return new JsonObject();
    }
    int hops = 0;
    while (s.containsKey("$ref") && hops++ < 20) {
      String ref = s.getString("$ref");
      JsonObject target = root;
      for (String part : ref.substring(2).split("/")) {
        target = target.getJsonObject(part.replace("~1", "/").replace("~0", "~"));
      }
      JsonObject merged = target.copy();
      for (String k : s.fieldNames()) {
        if (!k.equals("$ref")) {
          merged.put(k, s.getValue(k));
        }
      }
      s = merged;
    }
    if (s.containsKey("allOf")) {
      JsonObject merged = s.copy();
      merged.remove("allOf");
      JsonObject props = merged.getJsonObject("properties", new JsonObject()).copy();
      JsonArray required = merged.getJsonArray("required", new JsonArray()).copy();
      for (Object part : s.getJsonArray("allOf")) {
        JsonObject p = resolve(part);
        p.getJsonObject("properties", new JsonObject()).forEach(e -> props.put(e.getKey(), e.getValue()));
        p.getJsonArray("required", new JsonArray()).forEach(required::add);
        // the rest of a part (type, enum, pattern, lengths) applies as well, unless the outer schema says otherwise
        for (String k : p.fieldNames()) {
          if (!k.equals("properties") && !k.equals("required") && !merged.containsKey(k)) {
            merged.put(k, p.getValue(k));
          }
        }
      }
      if (!props.isEmpty() || !required.isEmpty() || !merged.containsKey("type")) {
        merged.put("properties", props).put("required", required);
      }
      if (!merged.containsKey("type")) {
        merged.put("type", "object");
      }
      s = merged;
    }
    return s;
  }

  /** The first non-null type a schema allows (object when it has properties). */
  String type(JsonObject s) {
    Object t = s.getValue("type");
    if (t instanceof String str) {
      return str;
    }
    if (t instanceof JsonArray arr) {
      for (Object o : arr) {
        if (!"null".equals(o)) {
          return (String) o;
        }
      }
      return "null";
    }
    if (s.containsKey("properties")) {
      return "object";
    }
    if (s.containsKey("enum")) {
      Object first = s.getJsonArray("enum").getValue(0);
      return first instanceof String ? "string" : first instanceof Boolean ? "boolean" : "number";
    }
    return "any";
  }

  /**
   * The schema of an array's items; for a union of object schemas, one object with the fields of
   * all branches; where an item schema is just {@code type: object} and the array's description
   * names the real one ("Items: #/…"), that one.
   */
  JsonObject itemSchema(JsonObject array) {
    JsonObject items = resolve(array.getValue("items"));
    if (items.getValue("oneOf") instanceof JsonArray options && !items.containsKey("properties")) {
      // a union (chat messages by role): the fields of every branch, the first branch's schema winning
      JsonObject props = new JsonObject();
      for (Object option : options) {
        resolve(option).getJsonObject("properties", new JsonObject())
          .forEach(e -> props.getMap().putIfAbsent(e.getKey(), e.getValue()));
      }
      return new JsonObject().put("type", "object").put("properties", props);
    }
    String description = array.getString("description", "");
    Matcher named = ITEMS_REF.matcher(description);
    if (items.getJsonObject("properties", new JsonObject()).isEmpty() && named.find()) {
      return resolve(new JsonObject().put("$ref", named.group(1)));
    }
    return items;
  }

  Object valid(Object schema, int depth) {
    JsonObject s = resolve(schema);
    if (s.containsKey("const")) {
      return s.getValue("const");
    }
    if (s.containsKey("enum")) {
      JsonArray e = s.getJsonArray("enum");
      return e.getValue(random.nextInt(e.size()));
    }
    for (String alt : new String[] {"oneOf", "anyOf"}) {
      if (s.containsKey(alt)) {
        JsonArray options = s.getJsonArray(alt);
        return valid(options.getValue(random.nextInt(options.size())), depth + 1);
      }
    }
    if (s.containsKey("example") && random.nextInt(3) == 0) {
      return s.getValue("example");
    }
    switch (type(s)) {
      case "object": {
        JsonObject out = new JsonObject();
        JsonObject props = s.getJsonObject("properties", new JsonObject());
        List<String> required = new ArrayList<>();
        s.getJsonArray("required", new JsonArray()).forEach(r -> required.add((String) r));
        for (String name : props.fieldNames()) {
          if (required.contains(name) || (depth < 3 && random.nextBoolean())) {
            out.put(name, valid(props.getValue(name), depth + 1));
          }
        }
        for (String name : props.fieldNames()) {
          if (out.size() >= s.getInteger("minProperties", 0)) {
            break;
          }
          out.put(name, valid(props.getValue(name), depth + 1));
        }
        return out;
      }
      case "array": {
        JsonArray out = new JsonArray();
        int min = s.getInteger("minItems", 0);
        int max = Math.min(s.getInteger("maxItems", min + 2), min + 2);
        int n = min + (max > min ? random.nextInt(max - min + 1) : 0);
        if (n == 0 && depth < 3 && max > 0) {
          n = 1;
        }
        boolean unique = s.getBoolean("uniqueItems", false);
        // a unique array draws again on a repeat, a bounded number of times (an enum may run out)
        for (int tries = 0; out.size() < n && tries < 10 * n; tries++) {
          Object item = valid(s.getValue("items", new JsonObject()), depth + 1);
          if (!unique || !out.contains(item)) {
            out.add(item);
          }
        }
        return out;
      }
      case "integer": {
        long min = s.getLong("minimum", 1L);
        long max = s.getLong("maximum", Math.max(min, 10L));
        return min + (long) (random.nextDouble() * Math.min(max - min, 100));
      }
      case "number": {
        double min = s.getDouble("minimum", 0.0);
        double max = s.getDouble("maximum", min + 1.0);
        return min + random.nextDouble() * Math.min(max - min, 1.0);
      }
      case "boolean":
        return random.nextBoolean();
      case "string":
        return string(s);
      case "null":
        return null;
      default:
        return "x";
    }
  }

  private String string(JsonObject s) {
    String format = s.getString("format");
    if ("date-time".equals(format)) {
      // a day ahead: expiry dates must lie in the future
      return Instant.now().plusSeconds(86_400).toString();
    }
    if ("email".equals(format)) {
      return "fuzz" + random.nextInt(1_000_000) + "@example.test";
    }
    if ("uri".equals(format) || "url".equals(format)) {
      return "https://example.test/p" + random.nextInt(1000);
    }
    int min = s.getInteger("minLength", 1);
    int max = s.getInteger("maxLength", Math.max(min, 16));
    String pattern = s.getString("pattern");
    Pattern p = pattern == null ? null : Pattern.compile(pattern);
    String[] candidates = {letters(min, max), "abc", "a", "abc-1", "x_1", "Name 1", "abcdefgh", "sk-test-0000000000000000",
      "https://example.test/p1"};
    for (String c : candidates) {
      if (c.length() >= min && c.length() <= max && (p == null || p.matcher(c).find())) {
        return c;
      }
    }
    return letters(min, max);
  }

  private String letters(int min, int max) {
    int n = Math.max(min, Math.min(max, 3 + random.nextInt(8)));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + random.nextInt(26)));
    }
    return b.toString();
  }
}
