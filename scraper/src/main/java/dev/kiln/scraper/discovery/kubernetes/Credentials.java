package dev.kiln.scraper.discovery.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;

/**
 * The {@code Authorization} header for API requests. Thread-safe. {@link #invalidate()} is called
 * after a 401 so that rotated tokens are picked up at once.
 */
interface Credentials {
  /** The header value, or null for none. */
  String header() throws IOException;

  /** Forgets any cached secret. */
  default void invalidate() {}

  Credentials NONE = () -> null;

  static Credentials fixed(String header) {
    return () -> header;
  }

  static Credentials basic(String user, String password) {
    String v = "Basic " + Base64.getEncoder().encodeToString(
        ((user == null ? "" : user) + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    return () -> v;
  }

  /**
   * {@code <type> <file content>}, the file re-read when older than {@code maxAgeMillis} (0 = on
   * every request) and after a 401. Projected service account tokens rotate about hourly.
   */
  static Credentials file(String type, Path file, long maxAgeMillis, Clock clock) {
    return new Credentials() {
      private String cached;
      private long readAt;

      @Override
      public synchronized String header() throws IOException {
        long now = clock.millis();
        if (cached == null || now - readAt >= maxAgeMillis) {
          cached = Files.readString(file, StandardCharsets.UTF_8).trim();
          readAt = now;
        }
        return type + " " + cached;
      }

      @Override
      public synchronized void invalidate() {
        cached = null;
      }
    };
  }
}
