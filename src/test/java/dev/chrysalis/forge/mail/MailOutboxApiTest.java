package dev.chrysalis.forge.mail;

import dev.chrysalis.forge.testing.SmtpServer;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The mail outbox: nothing is lost while the mail server is down, and development mail lands on disk. */
class MailOutboxApiTest {

  @Test
  void aMailQueuedWhileSmtpIsDownArrivesOnceItComesUp() {
    SmtpServer smtp = new SmtpServer();
    String[] env = smtp.env();
    String[] all = new String[env.length + 4];
    System.arraycopy(env, 0, all, 0, env.length);
    all[env.length] = "CHRYSALIS_MAIL_BACKOFF_BASE_MS";
    all[env.length + 1] = "100";
    all[env.length + 2] = "CHRYSALIS_MAIL_BACKOFF_MAX_MS";
    all[env.length + 3] = "400";
    try (TestApp app = TestApp.start(TestApp.env(all))) {
      Users.Registered u = Users.register(app.api());
      String row = "SELECT count(*) FROM mail_outbox WHERE recipient = '" + u.email() + "'";
      Workspaces.eventually(() -> Workspaces.count(app, row + " AND status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL") == 1);

      smtp.start();
      try {
        List<String> mails = smtp.mailsTo(u.email(), 1);
        assertThat(mails).hasSize(1);
        assertThat(mails.get(0)).startsWith("Subject: Confirm your email address");
        Workspaces.eventually(() -> Workspaces.count(app, row + " AND status = 'sent'") == 1);
        assertThat(smtp.mailsTo(u.email(), 2)).as("sent once").hasSize(1);
      } finally {
        smtp.close();
      }
    }
  }

  @Test
  void withoutSmtpHostMailIsWrittenToTheDataDirectoryOwnerOnly() throws Exception {
    try (TestApp app = TestApp.start(TestApp.env())) {
      Users.Registered u = Users.register(app.api());
      Workspaces.eventually(() -> {
        try (var files = Files.list(app.dataDir().resolve("mail"))) {
          return files.anyMatch(f -> {
            try {
              String text = Files.readString(f);
              return text.startsWith("To: " + u.email() + "\nSubject: Confirm your email address")
                && text.contains("/#/verify?token=");
            } catch (Exception e) {
              return false;
            }
          });
        } catch (Exception e) {
          return false;
        }
      });
      // the files hold sign-in secrets: no other local user may read them
      Path dir = app.dataDir().resolve("mail");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------");
        }
      }
      Users.verify(app, u);
      assertThat(app.api().call("getCurrentUser").bearer(u.token()).send().expect(200).json().getBoolean("email_verified"))
        .isTrue();
    }
  }
}
