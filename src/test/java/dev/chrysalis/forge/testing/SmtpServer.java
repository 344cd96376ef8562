package dev.chrysalis.forge.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** A real SMTP server (GreenMail) on loopback, for the tests of outgoing mail. */
public final class SmtpServer implements AutoCloseable {

  private final int port;
  private GreenMail mail;

  public SmtpServer() {
    this(freePort());
  }

  public SmtpServer(int port) {
    this.port = port;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public SmtpServer start() {
    mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    return this;
  }

  public int port() {
    return port;
  }

  /** Settings pointing a test app at this server (plain SMTP, no login). */
  public String[] env() {
    return new String[] {"CHRYSALIS_SMTP_HOST", "127.0.0.1", "CHRYSALIS_SMTP_PORT", String.valueOf(port),
      "CHRYSALIS_SMTP_TLS", "none", "CHRYSALIS_SMTP_FROM", "forge@example.test", "CHRYSALIS_MAIL_INTERVAL_MS", "100"};
  }

  /** Mails received for this address ("Subject: …\n\n" + body), oldest first, waiting up to 10 s for {@code atLeast}. */
  public List<String> mailsTo(String email, int atLeast) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      List<String> found = new ArrayList<>();
      try {
        for (MimeMessage m : mail.getReceivedMessages()) {
          for (Address a : m.getAllRecipients()) {
            if (a.toString().equalsIgnoreCase(email)) {
              found.add("Subject: " + m.getSubject() + "\n\n" + String.valueOf(m.getContent()));
            }
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      if (found.size() >= atLeast || System.currentTimeMillis() > deadline) {
        return found;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return found;
      }
    }
  }

  /** The token in the newest mail to this address whose subject contains {@code subjectPart}, waiting up to 10 s for one. */
  public String latestToken(String email, String subjectPart) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      List<String> mails = mailsTo(email, 1);
      for (int i = mails.size() - 1; i >= 0; i--) {
        if (mails.get(i).lines().findFirst().orElse("").contains(subjectPart)) {
          return DevMailbox.token(mails.get(i));
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no mail '" + subjectPart + "' to " + email);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }


  @Override
  public void close() {
    if (mail != null) {
      mail.stop();
    }
  }
}
