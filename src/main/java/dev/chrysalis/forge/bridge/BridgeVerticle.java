package dev.chrysalis.forge.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The optional TCP event-bus bridge (Vert.x's framing: 4-byte length + JSON), so a process in any
 * language can follow usage events or serve an address. Deployed only when
 * {@code bridge.port} is set; permissions are the explicit lists of {@link BridgeConfig}, and every
 * frame a client sends to the bus must carry the bridge token ({@link BridgeToken}), so the bridge
 * never runs unauthenticated, on loopback or beyond.
 */
public class BridgeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);

  private TcpEventBusBridge bridge;

  @Override
  public Future<?> start() {
    BridgeConfig config = BridgeConfig.from(config());
    boolean production = "production".equalsIgnoreCase(config().getString("env", "development"));
    Path dataDir = Path.of(config().getString("data_dir", "./data"));
    BridgeOptions options = new BridgeOptions();
    config.inbound().forEach(a -> options.addInboundPermitted(new PermittedOptions().setAddress(a)));
    config.outbound().forEach(a -> options.addOutboundPermitted(new PermittedOptions().setAddress(a)));
    return vertx.executeBlocking(() -> new BridgeToken(BridgeToken.load(config, production, dataDir)))
      .compose(token -> {
        bridge = TcpEventBusBridge.create(vertx, options, new NetServerOptions().setIdleTimeout(0), token::check);
        return bridge.listen(config.port(), config.host());
      })
      .onSuccess(b -> LOG.info("event-bus bridge on {}:{} (token required on every frame; inbound {}, outbound {})",
        config.host(), config.port(), config.inbound(), config.outbound()));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
