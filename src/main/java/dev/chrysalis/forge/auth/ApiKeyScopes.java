package dev.chrysalis.forge.auth;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The rule against scope escalation: a new key's scopes must lie within the scopes of the
 * credential that creates it. A session (JWT) carries {@code *} and may create any key; an API
 * key scoped {@code ["keys"]} may create only {@code ["keys"]} keys. A caller whose scopes are
 * unknown has none, so the rule fails closed.
 */
final class ApiKeyScopes {

  static final String ALL = "*";

  private ApiKeyScopes() {
  }

  static Set<String> of(JsonArray scopes) {
    Set<String> out = new LinkedHashSet<>();
    if (scopes != null) {
      for (Object s : scopes) {
        if (s instanceof String str) {
          out.add(str);
        }
      }
    }
    return out;
  }

  /** Without {@code scopes} in the request a key gets its creator's scopes (a session's: {@code *}). */
  static JsonArray defaultFor(Set<String> callerScopes) {
    return new JsonArray(new ArrayList<>(callerScopes));
  }

  static boolean within(Set<String> requested, Set<String> callerScopes) {
    if (callerScopes.contains(ALL)) {
      return true;
    }
    return !requested.contains(ALL) && callerScopes.containsAll(requested);
  }
}
