package dev.chrysalis.forge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the mails a test app without SMTP host wrote to {@code <data_dir>/mail/}, as a developer would. */
public final class DevMailbox {

  private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_-]{16,128})");

  private DevMailbox() {
  }

  /** Every mail to this address, oldest first, waiting up to 10 s for at least {@code atLeast}. */
  public static List<String> mailsTo(TestApp app, String email, int atLeast) {
    return mailsTo(app.dataDir(), email, atLeast);
  }

  /** The same for a service whose data directory is {@code dataDir} (a node in its own process). */
  public static List<String> mailsTo(Path dataDir, String email, int atLeast) {
    long deadline = System.currentTimeMillis() + 10_000;
    Path dir = dataDir.resolve("mail");
    while (true) {
      List<String> found;
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          found = files.filter(f -> f.toString().endsWith(".eml"))
            .sorted(Comparator.comparing(DevMailbox::modified))
            .map(DevMailbox::read)
            .filter(text -> text.startsWith("To: " + email + "\n"))
            .toList();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      } else {
        found = List.of();
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
  public static String latestToken(TestApp app, String email, String subjectPart) {
    return latestToken(app.dataDir(), email, subjectPart);
  }

  /** The same for a service whose data directory is {@code dataDir} (a node in its own process). */
  public static String latestToken(Path dataDir, String email, String subjectPart) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      List<String> mails = mailsTo(dataDir, email, 1);
      for (int i = mails.size() - 1; i >= 0; i--) {
        if (mails.get(i).split("\n", 3)[1].contains(subjectPart)) {
          return token(mails.get(i));
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


  public static String token(String mail) {
    Matcher m = TOKEN.matcher(mail);
    if (!m.find()) {
      throw new AssertionError("no token in mail: " + mail);
    }
    return m.group(1);
  }

  private static java.time.Instant modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toInstant();
    } catch (IOException e) {
      return java.time.Instant.EPOCH;
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
