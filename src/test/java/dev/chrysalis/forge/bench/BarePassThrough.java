package dev.chrysalis.forge.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;

/**
 * The yardstick of the gateway benchmark: a Vert.x 5 HTTP proxy with no checks at all. It
 * forwards every request to the upstream as it is (method, path, body, content type and
 * authorization) and streams the answer back, one instance per core as the service runs its HTTP
 * verticles. What the service adds over this is what its checks cost.
 * {@code BarePassThrough --port 18942 --upstream http://127.0.0.1:18940}
 */
public final class BarePassThrough extends AbstractVerticle {

  private final URI upstream;
  private final int port;
  private HttpClient client;

  BarePassThrough(URI upstream, int port) {
    this.upstream = upstream;
    this.port = port;
  }

  public static void main(String[] args) {
    URI upstream = URI.create(BenchUpstream.arg(args, "--upstream", "http://127.0.0.1:18940"));
    int port = Integer.parseInt(BenchUpstream.arg(args, "--port", "18942"));
    int instances = Integer.parseInt(BenchUpstream.arg(args, "--instances",
      String.valueOf(Runtime.getRuntime().availableProcessors())));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new BarePassThrough(upstream, port), new DeploymentOptions().setInstances(instances))
      .await();
    System.out.println("bare pass-through on " + port + " to " + upstream);
  }

  @Override
  public void start(Promise<Void> started) {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(256));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(this::forward)
      .listen(port, "127.0.0.1").<Void>mapEmpty().onComplete(started);
  }

  private void forward(HttpServerRequest in) {
    in.pause();
    RequestOptions out = new RequestOptions().setMethod(in.method()).setHost(upstream.getHost())
      .setPort(upstream.getPort()).setURI(in.uri());
    copy(in, out, "content-type");
    copy(in, out, "authorization");
    client.request(out)
      .compose(req -> req.send(in))
      .onSuccess(answer -> {
        in.response().setStatusCode(answer.statusCode());
        String type = answer.getHeader("content-type");
        if (type != null) {
          in.response().putHeader("content-type", type);
        }
        if (answer.getHeader("content-length") == null) {
          in.response().setChunked(true);
        } else {
          in.response().putHeader("content-length", answer.getHeader("content-length"));
        }
        answer.pipeTo(in.response());
      })
      .onFailure(t -> in.response().setStatusCode(502).end());
  }

  private static void copy(HttpServerRequest in, RequestOptions out, String header) {
    String value = in.getHeader(header);
    if (value != null) {
      out.putHeader(header, value);
    }
  }
}
