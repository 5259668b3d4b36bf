package dev.kiln.server.api;

import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Request;
import dev.kiln.tsdb.model.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parsing of the API's parameters: times, durations, limits, label names. */
public final class ApiParams {
  /** Prometheus's minimum and maximum API times, in milliseconds. */
  public static final long MIN_TIME = -9223309901257974L;

  public static final long MAX_TIME = 9223309901257974L;

  private ApiParams() {}

  /** A time parameter; {@code def} when absent. */
  public static long time(Request r, String name, long def) throws ApiException {
    String v = r.param(name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    try {
      return parseTime(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParam(name, "cannot parse \"" + v + "\" to a valid timestamp");
    }
  }

  /** A time for {@code /query}: its message has Prometheus's "invalid time value for 'time'" part. */
  public static long queryTime(Request r, long now) throws ApiException {
    String v = r.param("time");
    if (v == null || v.isEmpty()) {
      return now;
    }
    try {
      return parseTime(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParam("time", "invalid time value for 'time': cannot parse \"" + v + "\" to a valid timestamp");
    }
  }

  /** Decimal Unix seconds or RFC 3339, rounded to milliseconds. */
  public static long parseTime(String v) {
    try {
      BigDecimal secs = new BigDecimal(v);
      BigDecimal ms = secs.movePointRight(3).setScale(0, RoundingMode.HALF_UP);
      if (ms.compareTo(BigDecimal.valueOf(MAX_TIME)) > 0) {
        return MAX_TIME;
      }
      if (ms.compareTo(BigDecimal.valueOf(MIN_TIME)) < 0) {
        return MIN_TIME;
      }
      return ms.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      // not a number: try RFC 3339
    }
    if (v.equals("-292273086-05-16T16:47:06Z")) {
      return MIN_TIME;
    }
    if (v.equals("292277025-08-18T07:12:54.999999999Z")) {
      return MAX_TIME;
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(v);
      return t.toInstant().toEpochMilli() + (t.getNano() % 1_000_000 >= 500_000 ? 1 : 0);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("cannot parse " + v);
    }
  }

  /** A duration parameter in milliseconds (decimal seconds or a Prometheus duration); -1 when absent. */
  public static long duration(Request r, String name) throws ApiException {
    String v = r.param(name);
    if (v == null || v.isEmpty()) {
      return -1;
    }
    try {
      BigDecimal secs = new BigDecimal(v);
      return secs.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      // not a number
    }
    try {
      return Durations.parseMillis(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParam(name, "cannot parse \"" + v + "\" to a valid duration");
    }
  }

  /** The {@code limit} parameter; 0 when absent. */
  public static int limit(Request r) throws ApiException {
    String v = r.param("limit");
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw ApiException.badParam("limit", "limit must be non-negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badParam("limit", "cannot parse \"" + v + "\" to a valid limit");
    }
  }

  /** Decodes a label name from a URL path segment, including the {@code U__} UTF-8 escaping. */
  public static String labelName(String segment) throws ApiException {
    String name = segment;
    if (segment.startsWith("U__")) {
      StringBuilder sb = new StringBuilder();
      String s = segment.substring(3);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '_') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
            sb.append('_');
            i++;
            continue;
          }
          int end = s.indexOf('_', i + 1);
          if (end < 0) {
            throw ApiException.badData("invalid label name: \"" + segment + "\"");
          }
          try {
            sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, end), 16));
          } catch (NumberFormatException e) {
            throw ApiException.badData("invalid label name: \"" + segment + "\"");
          }
          i = end;
        } else {
          sb.append(c);
        }
      }
      name = sb.toString();
    }
    if (name.isEmpty()) {
      throw ApiException.badData("invalid label name: \"" + segment + "\"");
    }
    return name;
  }
}
