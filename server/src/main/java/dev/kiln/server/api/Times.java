package dev.kiln.server.api;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** RFC 3339 times as the API writes them inside metadata objects. */
public final class Times {
  private Times() {}

  /** RFC 3339 with up to 9 fraction digits; 0 (never) is {@code 0001-01-01T00:00:00Z}. */
  public static String rfc3339(long millis) {
    if (millis == 0) {
      return "0001-01-01T00:00:00Z";
    }
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(millis));
  }
}
