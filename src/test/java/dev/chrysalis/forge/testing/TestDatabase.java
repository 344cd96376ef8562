package dev.chrysalis.forge.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL the tests use: the server in {@code CHRYSALIS_TEST_DATABASE_URL} when set (CI
 * runs once against the machine's PostgreSQL 15), otherwise one embedded server per test JVM.
 * Each call to {@link #freshDatabaseUrl()} creates a new empty database on it.
 */
public final class TestDatabase {

  private static EmbeddedPostgres embedded;
  private static String adminBase;   // postgresql://user[:pw]@host:port
  private static String adminUser;
  private static String adminPassword;
  private static String adminDb;
  private static String host;
  private static int port;

  private TestDatabase() {
  }

  public static synchronized String freshDatabaseUrl() {
    init();
    String name = "forge_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + adminDb,
      adminUser, adminPassword); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database: " + e.getMessage(), e);
    }
    return adminBase + "/" + name;
  }

  /** Runs SQL on a test database, for tests that look at what is stored. */
  public static Connection connect(String url) throws Exception {
    java.net.URI u = java.net.URI.create(url.replace("postgresql://", "http://"));
    return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(),
      adminUser, adminPassword);
  }

  public static boolean external() {
    String url = System.getenv("CHRYSALIS_TEST_DATABASE_URL");
    return url != null && !url.isBlank();
  }

  private static void init() {
    if (adminBase != null) {
      return;
    }
    try {
      if (external()) {
        java.net.URI u = java.net.URI.create(System.getenv("CHRYSALIS_TEST_DATABASE_URL").replace("postgresql://", "http://"));
        host = u.getHost();
        port = u.getPort() > 0 ? u.getPort() : 5432;
        String userInfo = u.getUserInfo() == null ? "postgres" : u.getUserInfo();
        adminUser = userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) : userInfo;
        adminPassword = userInfo.contains(":") ? userInfo.substring(userInfo.indexOf(':') + 1) : null;
        adminDb = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
      } else {
        Path dir = Files.createTempDirectory("forge-test-pg");
        embedded = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
          .setServerConfig("max_connections", "300").setServerConfig("fsync", "off").start();
        host = "localhost";
        port = embedded.getPort();
        adminUser = "postgres";
        adminPassword = null;
        adminDb = "postgres";
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            embedded.close();
          } catch (Exception ignored) {
            // JVM is exiting
          }
        }));
      }
      adminBase = "postgresql://" + adminUser + (adminPassword == null ? "" : ":" + adminPassword) + "@" + host + ":" + port;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the test database: " + e.getMessage(), e);
    }
  }
}
