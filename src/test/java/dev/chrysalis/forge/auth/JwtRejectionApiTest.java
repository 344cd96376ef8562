package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way a bearer JWT can be wrong is refused with 401 in our error shape. */
class JwtRejectionApiTest {

  private static final String ISS = "chrysalis-forge";
  private static final String AUD = "chrysalis-forge-api";
  private static final Api api = TestApp.shared().api();
  private static final Users.Registered user = Users.register(api);

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sign(String header, String payload, String key) {
    try {
      String input = b64(header) + "." + b64(payload);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject claims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", user.id()).put("email", user.email()).put("iat", now).put("exp", now + 600)
      .put("iss", ISS).put("aud", AUD).put("jti", "t");
  }

  static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  static Stream<Object[]> badTokens() {
    long now = System.currentTimeMillis() / 1000;
    String good = sign(HS256, claims().encode(), TestApp.TEST_SECRET);
    String[] parts = good.split("\\.");
    JsonObject tamperedClaims = claims().put("sub", "usr_someoneelse");
    return Stream.of(
      new Object[]{"alg none", b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims().encode()) + "."},
      new Object[]{"alg HS512", sign("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims().encode(), TestApp.TEST_SECRET)},
      new Object[]{"typ missing", sign("{\"alg\":\"HS256\"}", claims().encode(), TestApp.TEST_SECRET)},
      new Object[]{"tampered payload", parts[0] + "." + b64(tamperedClaims.encode()) + "." + parts[2]},
      new Object[]{"tampered signature", parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
        + (parts[2].endsWith("AA") ? "BB" : "AA")},
      new Object[]{"other key", sign(HS256, claims().encode(), "another-secret-key-0123456789abcdef-0123456")},
      new Object[]{"expired", sign(HS256, claims().put("iat", now - 7200).put("exp", now - 3600).encode(), TestApp.TEST_SECRET)},
      new Object[]{"not yet valid", sign(HS256, claims().put("nbf", now + 3600).encode(), TestApp.TEST_SECRET)},
      new Object[]{"issued in the future", sign(HS256, claims().put("iat", now + 3600).put("exp", now + 7200).encode(), TestApp.TEST_SECRET)},
      new Object[]{"missing exp", sign(HS256, claims().copy().put("exp", (Object) null).encode().replace(",\"exp\":null", ""), TestApp.TEST_SECRET)},
      new Object[]{"wrong issuer", sign(HS256, claims().put("iss", "someone-else").encode(), TestApp.TEST_SECRET)},
      new Object[]{"wrong audience", sign(HS256, claims().put("aud", "other-api").encode(), TestApp.TEST_SECRET)},
      new Object[]{"missing sub", sign(HS256, claims().copy().put("sub", (Object) null).encode().replace("\"sub\":null,", ""), TestApp.TEST_SECRET)},
      new Object[]{"garbage", "not.a.jwt"},
      new Object[]{"two segments", parts[0] + "." + parts[1]},
      new Object[]{"empty", ""}
    );
  }

  @Test
  void aWellFormedTokenSignedWithTheServerKeyIsAccepted() {
    api.call("getCurrentUser").bearer(sign(HS256, claims().encode(), TestApp.TEST_SECRET)).send().expect(200);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  void isRejected(String name, String token) {
    Api.Resp r = api.call("getCurrentUser").bearer(token).send().expect(401);
    assertThat(r.error().getString("type")).isEqualTo("authentication_error");
    assertThat(r.text()).doesNotContain(user.email());
  }
}
