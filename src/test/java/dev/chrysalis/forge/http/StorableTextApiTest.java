package dev.chrysalis.forge.http;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RawHttp;
import dev.chrysalis.forge.testing.RawHttp2;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text PostgreSQL cannot store (NUL, unpaired surrogates) is refused with a 400 naming the field,
 * wherever in the request it stands, and nothing is stored.
 */
class StorableTextApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void nulInTheProjectNameIsRefusedNamingTheFieldAndNothingIsStored() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("createProject").bearer(u.token())
      .body(new JsonObject().put("name", "evil\u0000name")).send().expect(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.error().getString("param")).isEqualTo("name");
    assertThat(projectsOf(u)).isZero();
  }

  @Test
  void nulInATextFieldWithoutAPatternIsRefusedByTheEdgeCheck() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("createProject").bearer(u.token())
      .body(new JsonObject().put("name", "fine").put("description", "a\u0000b")).send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_text");
    assertThat(r.error().getString("param")).isEqualTo("description");
    assertThat(r.error().getString("message")).contains("NUL");
    assertThat(projectsOf(u)).isZero();
  }

  @Test
  void unpairedSurrogateSentAsAJsonEscapeIsRefused() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("createProject").bearer(u.token())
      .body("{\"name\":\"fine\",\"description\":\"half \\ud800 a pair\"}").send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_text");
    assertThat(r.error().getString("param")).isEqualTo("description");
    assertThat(r.error().getString("message")).contains("U+D800");
    Api.Resp low = api.call("createProject").bearer(u.token())
      .body("{\"name\":\"fine\",\"description\":\"\\udc00\"}").send().expect(400);
    assertThat(low.error().getString("param")).isEqualTo("description");
    assertThat(projectsOf(u)).isZero();
  }

  @Test
  void nestedValuesAndKeysAreCheckedToo() {
    Users.Registered u = Users.register(api);
    Api.Resp value = api.call("createProject").bearer(u.token())
      .body(new JsonObject().put("name", "fine").put("settings", new JsonObject()
        .put("tags", new io.vertx.core.json.JsonArray().add("ok").add("bad\u0000")))).send().expect(400);
    assertThat(value.error().getString("param")).isEqualTo("settings.tags[1]");
    Api.Resp key = api.call("createProject").bearer(u.token())
      .body("{\"name\":\"fine\",\"settings\":{\"k\\u0000\":1}}").send().expect(400);
    assertThat(key.error().getString("param")).isEqualTo("settings.k\\u0000");
    assertThat(projectsOf(u)).isZero();
  }

  @Test
  void emojiAndOtherPairedSurrogatesAreStored() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("createProject").bearer(u.token())
      .body(new JsonObject().put("name", "rocket \uD83D\uDE80").put("description", "\u202eok")).send().expect(201);
    assertThat(r.json().getString("name")).isEqualTo("rocket \uD83D\uDE80");
    assertThat(projectsOf(u)).isEqualTo(1);
  }

  @Test
  void nulInAQueryParameterIsRefusedNamingIt() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.raw("GET", "/v1/projects?org_id=org_%00x").bearer(u.token()).send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_text");
    assertThat(r.error().getString("param")).isEqualTo("org_id");
  }

  @Test
  void nulInAnApiKeyQueryParameterIsRefusedBeforeAuthentication() {
    Api.Resp r = api.raw("GET", "/v1/models?api_key=chs_%00abc").send().expect(400);
    assertThat(r.error().getString("param")).isEqualTo("api_key");
  }

  @Test
  void nulInAPathParameterIsRefusedNamingIt() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.raw("GET", "/v1/projects/prj_%00x").bearer(u.token()).send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_text");
    assertThat(r.error().getString("param")).isEqualTo("id");
  }

  @Test
  void nulInAnHttp1HeaderIsRefusedInOurShapeBeforeAnyRouteAndNothingIsStored() throws Exception {
    Users.Registered u = Users.register(api);
    String body = new JsonObject().put("name", "fine").encode();
    try (RawHttp raw = new RawHttp(api.baseUrl(), 10_000)) {
      RawHttp.Response r = raw.head("POST /v1/projects HTTP/1.1\nHost: x\nAuthorization: Bearer " + u.token()
          + "\nUser-Agent: agent\u0000smith\nContent-Type: application/json\nContent-Length: " + body.length())
        .write(body).read();
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
      assertThat(r.error().getString("code")).isEqualTo("malformed_request");
      assertThat(r.headers().get("x-request-id")).startsWith("req_");
    }
    assertThat(projectsOf(u)).isZero();
  }

  @Test
  void nulInAnHttp2HeaderIsRefusedNamingTheHeaderAndNothingIsStored() throws Exception {
    Users.Registered u = Users.register(api);
    RawHttp2.Response r = RawHttp2.send(api.baseUrl(), "POST", "/v1/projects", java.util.Map.of(
      "authorization", "Bearer " + u.token(), "content-type", "application/json",
      "x-client-note", "agent\u0000smith"), new JsonObject().put("name", "fine").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_text");
    assertThat(error.getString("param")).isEqualTo("x-client-note");
    assertThat(projectsOf(u)).isZero();
  }

  private long projectsOf(Users.Registered u) {
    return Workspaces.count(app, "SELECT count(*) FROM projects WHERE owner_id = '" + u.id() + "'");
  }
}
