package dev.chrysalis.forge.mail;

import dev.chrysalis.forge.config.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Sends due outbox rows one round at a time: over SMTP when a host is configured, else to the
 * log and {@code <data_dir>/mail/<id>.eml} so a developer can follow the link. A failed send is
 * retried after a doubling delay; after {@code max_attempts} the row is parked as failed.
 */
final class MailRelay {

  private static final Logger LOG = LoggerFactory.getLogger(MailRelay.class);
  private static final int BATCH = 20;
  private static final double LEASE_SECONDS = 120;

  private final Vertx vertx;
  private final MailConfig config;
  private final MailOutboxStore store;
  private final MailClient client;
  private boolean running;
  private boolean again;

  MailRelay(Vertx vertx, MailConfig config, MailOutboxStore store) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.client = config.smtp() ? MailClient.create(vertx, smtpOptions(config)) : null;
  }

  private static io.vertx.ext.mail.MailConfig smtpOptions(MailConfig c) {
    io.vertx.ext.mail.MailConfig m = new io.vertx.ext.mail.MailConfig()
      .setHostname(c.smtpHost())
      .setPort(c.smtpPort())
      .setSsl("tls".equals(c.tls()))
      .setStarttls("starttls".equals(c.tls()) ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
      .setConnectTimeout(10_000)
      .setKeepAlive(false);
    if (!c.smtpUser().isEmpty()) {
      m.setLogin(LoginOption.REQUIRED).setUsername(c.smtpUser()).setPassword(c.smtpPassword());
    } else {
      m.setLogin(LoginOption.DISABLED);
    }
    return m;
  }

  /** One round; a call while a round runs schedules one more right after it. */
  void runOnce() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    store.claim(BATCH, LEASE_SECONDS)
      .compose(this::sendAll)
      .onFailure(t -> LOG.warn("mail relay round failed: {}", t.getClass().getSimpleName()))
      .onComplete(ar -> {
        running = false;
        if (again) {
          again = false;
          runOnce();
        }
      });
  }

  private Future<Void> sendAll(List<MailOutboxStore.Row> rows) {
    Future<Void> chain = Future.succeededFuture();
    for (MailOutboxStore.Row row : rows) {
      chain = chain.compose(v -> send(row)
        .compose(x -> store.sent(row.id()))
        .recover(t -> {
          String error = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
          error = error.length() > 300 ? error.substring(0, 300) : error;
          if (row.attempts() >= config.maxAttempts()) {
            LOG.error("mail {} parked as failed after {} attempts", row.id(), row.attempts());
            return store.failed(row.id(), error);
          }
          LOG.warn("mail {} not sent (attempt {}), retrying later", row.id(), row.attempts());
          return store.retryLater(row.id(), config.backoffMs(row.attempts()), error);
        }));
    }
    return chain;
  }

  private Future<Void> send(MailOutboxStore.Row row) {
    if (client != null) {
      MailMessage message = new MailMessage().setFrom(config.from()).setTo(row.recipient())
        .setSubject(row.subject()).setText(row.body());
      return client.sendMail(message).mapEmpty();
    }
    return vertx.executeBlocking(() -> {
      // the mails hold sign-in secrets (reset and verification links): owner-only, like the secret key
      Files.createDirectories(config.directory(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      String text = "To: " + row.recipient() + "\nSubject: " + row.subject() + "\n\n" + row.body();
      try {
        Secrets.writeOwnerOnly(config.directory().resolve(row.id() + ".eml"), text);
      } catch (FileAlreadyExistsException written) {
        // a retry of a mail whose file was written before its row could be marked sent
      }
      return null;
    }, false).map(v -> {
      LOG.info("development mail (no CHRYSALIS_SMTP_HOST) to={} subject=\"{}\" file={}\n{}", row.recipient(), row.subject(),
        config.directory().resolve(row.id() + ".eml"), row.body());
      return null;
    });
  }

  Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
