package dev.chrysalis.forge.outbound;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request pinned to a checked address ({@link BaseUrlGuard.Checked#pin}) connects to that address
 * without resolving the name again, yet keeps the name for the Host header, TLS SNI and the
 * certificate's host-name check. The client has the options the gateway's chat client uses for
 * this (host verification on, SNI forced).
 */
class PinnedConnectionTest {

  private static final String NAME = "pinned.forge-test.example";
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static Vertx vertx;
  private static HttpServer plain;
  private static HttpServer tls;
  private static HttpClient client;
  private static final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("forge-pin-tls");
    Path keystore = dir.resolve("server.p12");
    Path pem = dir.resolve("server.pem");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + NAME,
      "-ext", "san=dns:" + NAME, "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
      "-storepass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", PASSWORD,
      "-file", pem.toString());
    plain = vertx.createHttpServer().requestHandler(req -> {
      seen.add("plain host=" + req.authority());
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
        .setKeyCertOptions(new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD)))
      .requestHandler(req -> {
        seen.add("tls sni=" + req.connection().indicatedServerName() + " host=" + req.authority());
        req.response().end("ok");
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient(new HttpClientOptions().setVerifyHost(true).setForceSni(true).setKeepAlive(false)
      .setTrustOptions(new PemTrustOptions().addCertPath(pem.toString())));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static int get(BaseUrlGuard.Checked target, String url) throws Exception {
    RequestOptions options = target.pin(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url));
    return client.request(options).compose(r -> r.send()).map(r -> r.statusCode()).await(10, TimeUnit.SECONDS);
  }

  @Test
  void theConnectionGoesToTheCheckedAddressAndTheNameStaysInTheRequest() throws Exception {
    // the name does not resolve at all: only the pinned address can have been used
    String base = "http://nowhere.invalid:" + plain.actualPort() + "/v1";
    BaseUrlGuard.Checked target = new BaseUrlGuard.Checked(base, "nowhere.invalid", InetAddress.getByName("127.0.0.1"));
    assertThat(get(target, base + "/models")).isEqualTo(200);
    assertThat(seen).contains("plain host=nowhere.invalid:" + plain.actualPort());
  }

  @Test
  void overTlsTheCertificateIsStillCheckedForTheName() throws Exception {
    String base = "https://" + NAME + ":" + tls.actualPort() + "/v1";
    BaseUrlGuard.Checked target = new BaseUrlGuard.Checked(base, NAME, InetAddress.getByName("127.0.0.1"));
    assertThat(get(target, base + "/models")).isEqualTo(200);
    assertThat(seen).contains("tls sni=" + NAME + " host=" + NAME + ":" + tls.actualPort());

    // the same certificate does not vouch for another name pinned to the same address
    String other = "https://other.forge-test.example:" + tls.actualPort() + "/v1";
    BaseUrlGuard.Checked wrong = new BaseUrlGuard.Checked(other, "other.forge-test.example",
      InetAddress.getByName("127.0.0.1"));
    int before = seen.size();
    assertThatThrownBy(() -> get(wrong, other + "/models")).isNotNull();
    assertThat(seen).hasSize(before);
  }

  private static void keytool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
