package dev.chrysalis.forge.mail;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/** The {@code mail} section of the config. No SMTP host = development: mails go to the log and a directory. */
public record MailConfig(
  String smtpHost,
  int smtpPort,
  String smtpUser,
  String smtpPassword,
  String from,
  String tls,
  long intervalMs,
  long backoffBaseMs,
  long backoffMaxMs,
  int maxAttempts,
  Path directory) {

  public static MailConfig from(JsonObject config) {
    JsonObject m = config.getJsonObject("mail", new JsonObject());
    String tls = m.getString("smtp_tls", "starttls").trim().toLowerCase(java.util.Locale.ROOT);
    if (!tls.equals("none") && !tls.equals("starttls") && !tls.equals("tls")) {
      throw new IllegalArgumentException("mail.smtp_tls (CHRYSALIS_SMTP_TLS) must be none, starttls or tls");
    }
    return new MailConfig(
      m.getString("smtp_host", "").trim(),
      m.getInteger("smtp_port", 587),
      m.getString("smtp_user", ""),
      m.getString("smtp_password", ""),
      m.getString("from", "Chrysalis Forge <no-reply@localhost>"),
      tls,
      Math.max(50L, m.getLong("interval_ms", 1000L)),
      Math.max(1L, m.getLong("backoff_base_ms", 2000L)),
      Math.max(1L, m.getLong("backoff_max_ms", 600_000L)),
      Math.max(1, m.getInteger("max_attempts", 20)),
      Path.of(config.getString("data_dir", "./data")).toAbsolutePath().normalize().resolve("mail"));
  }

  boolean smtp() {
    return !smtpHost.isEmpty();
  }

  /** Delay before the attempt after {@code attempts} failed ones: base, doubled each time, capped. */
  long backoffMs(int attempts) {
    int shift = Math.min(Math.max(attempts - 1, 0), 30);
    return Math.min(backoffMaxMs, backoffBaseMs << shift);
  }
}
