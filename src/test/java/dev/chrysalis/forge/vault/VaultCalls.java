package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.concurrent.TimeUnit;

/** Calls the running app's vault over its (local) event bus, the way the gateway will. */
final class VaultCalls {

  private VaultCalls() {
  }

  static JsonObject resolve(TestApp app, JsonObject request) {
    return await(VaultService.createProxy(app.vertx()).resolve(request));
  }

  /** The failure of a resolve that must fail. */
  static ServiceException resolveFails(TestApp app, JsonObject request) {
    try {
      JsonObject ok = VaultService.createProxy(app.vertx()).resolve(request).await(30, TimeUnit.SECONDS);
      throw new AssertionError("resolve succeeded: " + ok.copy().put("key", ok.getValue("key") == null ? null : "<redacted>"));
    } catch (ServiceException e) {
      return e;
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("resolve failed unexpectedly: " + e, e);
    }
  }

  static JsonObject rewrap(TestApp app) {
    return await(VaultService.createProxy(app.vertx()).rewrap(new JsonObject()));
  }

  static JsonObject personal(String userId, String provider) {
    return new JsonObject().put("user_id", userId).put("provider", provider);
  }

  private static JsonObject await(io.vertx.core.Future<JsonObject> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("vault call failed: " + e, e);
    }
  }
}
