package dev.chrysalis.forge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Event-bus TLS between clustered nodes: with certificates made here by the JDK's keytool (a CA,
 * and one node certificate it signs), two nodes exchange messages over mutual TLS; the bus port
 * presents the node certificate and turns away a client that has none.
 */
class EventBusTlsTest {

  private static final String PASSWORD = "changeit-" + UUID.randomUUID();

  @Test
  void nodesTalkOverMutualTlsAndTheBusPortRefusesClientsWithoutACertificate() throws Exception {
    Path dir = Files.createTempDirectory("forge-bus-tls");
    Path keystore = dir.resolve("node.p12");
    Path truststore = dir.resolve("trust.p12");
    makeCertificates(dir, keystore, truststore);

    ClusterNodes nodes = new ClusterNodes(2);
    String[] tls = {"CHRYSALIS_BUS_TLS", "true", "CHRYSALIS_BUS_KEYSTORE", keystore.toString(),
      "CHRYSALIS_BUS_KEYSTORE_PASSWORD", PASSWORD, "CHRYSALIS_BUS_TRUSTSTORE", truststore.toString(),
      "CHRYSALIS_BUS_TRUSTSTORE_PASSWORD", PASSWORD};
    Vertx a = ForgeVertx.create(config(nodes, 0, tls)).await(60, TimeUnit.SECONDS);
    Vertx b = null;
    try {
      b = ForgeVertx.create(config(nodes, 1, tls)).await(60, TimeUnit.SECONDS);
      a.eventBus().<JsonObject>consumer("forge.test.echo", m -> m.reply(m.body().copy().put("from", "a")))
        .completion().await(10, TimeUnit.SECONDS);
      JsonObject reply = b.eventBus().<JsonObject>request("forge.test.echo", new JsonObject().put("n", 1))
        .await(20, TimeUnit.SECONDS).body();
      assertThat(reply).isEqualTo(new JsonObject().put("n", 1).put("from", "a"));

      // what a stranger on the network sees on the bus port: our node certificate, then a refusal
      AtomicReference<X509Certificate> presented = new AtomicReference<>();
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {recordingTrustManager(presented)}, null);
      int busPort = nodes.busPort(0);
      assertThatThrownBy(() -> {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", busPort)) {
          s.setSoTimeout(5_000);
          s.startHandshake();
          // TLS 1.3 reports a missing client certificate on the first read
          s.getOutputStream().write(new byte[] {0, 0, 0, 1, 0});
          s.getOutputStream().flush();
          if (s.getInputStream().read() < 0) {
            throw new java.io.IOException("closed by the node");
          }
        }
      }).isInstanceOf(java.io.IOException.class);
      X509Certificate nodeCert = (X509Certificate) loadCertificate(keystore);
      assertThat(presented.get()).isEqualTo(nodeCert);
    } finally {
      if (b != null) {
        b.close().await(30, TimeUnit.SECONDS);
      }
      a.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsWithoutKeystoresIsAConfigurationError() {
    ClusterNodes nodes = new ClusterNodes(1);
    assertThatThrownBy(() -> ForgeVertx.create(config(nodes, 0, "CHRYSALIS_BUS_TLS", "true")).await(30, TimeUnit.SECONDS))
      .hasMessageContaining("CHRYSALIS_BUS_KEYSTORE");
  }

  private static JsonObject config(ClusterNodes nodes, int i, String... extra) {
    JsonObject config = dev.chrysalis.forge.config.ConfigLoader.load(java.util.Map.of("CHRYSALIS_CONFIG", "conf/forge.yaml"));
    dev.chrysalis.forge.config.EnvOverrides.apply(config,
      nodes.env(i, "postgresql://postgres@127.0.0.1:1/unused", "redis://127.0.0.1:1", extra));
    config.getJsonObject("metrics").put("enabled", false);
    return config;
  }

  /** A CA, a node key pair, the node certificate signed by the CA; truststore = the CA only. */
  private static void makeCertificates(Path dir, Path keystore, Path truststore) throws Exception {
    Path ca = dir.resolve("ca.p12");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=forge-test-ca",
      "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
      "-file", dir.resolve("ca.pem").toString());
    keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=forge-node",
      "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
      "-storepass", PASSWORD);
    keytool("-certreq", "-alias", "node", "-keystore", keystore.toString(), "-storepass", PASSWORD,
      "-file", dir.resolve("node.csr").toString());
    keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-rfc",
      "-ext", "san=ip:127.0.0.1", "-ext", "eku=serverAuth,clientAuth", "-validity", "2",
      "-infile", dir.resolve("node.csr").toString(), "-outfile", dir.resolve("node.pem").toString());
    keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", keystore.toString(), "-storepass", PASSWORD,
      "-file", dir.resolve("ca.pem").toString());
    keytool("-importcert", "-alias", "node", "-keystore", keystore.toString(), "-storepass", PASSWORD,
      "-file", dir.resolve("node.pem").toString());
    keytool("-importcert", "-noprompt", "-alias", "ca", "-storetype", "PKCS12", "-keystore", truststore.toString(),
      "-storepass", PASSWORD, "-file", dir.resolve("ca.pem").toString());
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
    }
  }

  private static Certificate loadCertificate(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks.getCertificate("node");
  }

  private static X509TrustManager recordingTrustManager(AtomicReference<X509Certificate> presented) {
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        presented.set(chain[0]);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }
}
