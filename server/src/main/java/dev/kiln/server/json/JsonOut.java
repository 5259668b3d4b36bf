package dev.kiln.server.json;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.nio.charset.StandardCharsets;

/**
 * A small streaming JSON writer into a growing buffer, with Prometheus's value conventions
 * (sample values as strings, timestamps as float seconds). Commas are inserted automatically.
 * Single-thread.
 */
public final class JsonOut {
  private final StringBuilder sb = new StringBuilder(4096);
  private boolean needComma;

  public JsonOut beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  public JsonOut endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  public JsonOut beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  public JsonOut endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  /** Writes a field name; the next value belongs to it. */
  public JsonOut name(String name) {
    comma();
    string0(name);
    sb.append(':');
    needComma = false;
    return this;
  }

  public JsonOut value(String s) {
    comma();
    if (s == null) {
      sb.append("null");
    } else {
      string0(s);
    }
    needComma = true;
    return this;
  }

  public JsonOut value(long v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  public JsonOut value(boolean v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  /** A JSON number for a double (finite values only; non-finite become strings). */
  public JsonOut number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return value(GoFloats.format(v, Notation.PLAIN));
    }
    comma();
    sb.append(GoFloats.format(v, Notation.API_VALUE));
    needComma = true;
    return this;
  }

  public JsonOut nullValue() {
    comma();
    sb.append("null");
    needComma = true;
    return this;
  }

  /** A timestamp in milliseconds as float seconds: {@code 1435781451.781}, {@code 2}. */
  public JsonOut timestamp(long millis) {
    comma();
    appendTimestamp(sb, millis);
    needComma = true;
    return this;
  }

  static void appendTimestamp(StringBuilder sb, long millis) {
    long secs = millis / 1000;
    long frac = millis % 1000;
    if (frac == 0) {
      sb.append(secs);
      return;
    }
    if (millis < 0) {
      sb.append('-');
      secs = -secs;
      frac = -frac;
    }
    sb.append(secs).append('.');
    if (frac < 100) {
      sb.append('0');
    }
    if (frac < 10) {
      sb.append('0');
    }
    sb.append(frac);
  }

  /** A timestamp as the shortest number of seconds ({@code 1.5}), as scalar and string results use. */
  public JsonOut shortTimestamp(long millis) {
    comma();
    sb.append(java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString());
    needComma = true;
    return this;
  }

  /** A {@code [t, "v"]} pair as the API writes samples. */
  public JsonOut samplePair(long millis, double v) {
    comma();
    sb.append('[');
    appendTimestamp(sb, millis);
    sb.append(",\"").append(GoFloats.format(v, Notation.API_VALUE)).append("\"]");
    needComma = true;
    return this;
  }

  /** Raw, already-encoded JSON. */
  public JsonOut raw(String json) {
    comma();
    sb.append(json);
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
      needComma = false;
    }
  }

  private void string0(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<' -> sb.append("\\u003c");
        case '>' -> sb.append("\\u003e");
        case '&' -> sb.append("\\u0026");
        case '\u2028' -> sb.append("\\u2028");
        case '\u2029' -> sb.append("\\u2029");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  public byte[] toBytes() {
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
