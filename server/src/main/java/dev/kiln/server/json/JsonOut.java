package dev.kiln.server.json;

import dev.kiln.tsdb.model.DecimalDigits;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.ShortestDigits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small streaming JSON writer into a growing UTF-8 byte buffer, with Prometheus's value
 * conventions (sample values as strings, timestamps as float seconds). Commas are inserted
 * automatically. Numbers, timestamps and ASCII strings are written straight into the buffer, so a
 * result's sample pairs cost no allocation. Single-thread.
 */
public final class JsonOut {
  private byte[] buf = new byte[4096];
  private int len;
  private boolean needComma;
  private final ShortestDigits digits = new ShortestDigits();

  public JsonOut beginObject() {
    comma();
    put('{');
    needComma = false;
    return this;
  }

  public JsonOut endObject() {
    put('}');
    needComma = true;
    return this;
  }

  public JsonOut beginArray() {
    comma();
    put('[');
    needComma = false;
    return this;
  }

  public JsonOut endArray() {
    put(']');
    needComma = true;
    return this;
  }

  /** Writes a field name; the next value belongs to it. */
  public JsonOut name(String name) {
    comma();
    string0(name);
    put(':');
    needComma = false;
    return this;
  }

  public JsonOut value(String s) {
    comma();
    if (s == null) {
      ascii("null");
    } else {
      string0(s);
    }
    needComma = true;
    return this;
  }

  public JsonOut value(long v) {
    comma();
    putLong(v);
    needComma = true;
    return this;
  }

  public JsonOut value(boolean v) {
    comma();
    ascii(v ? "true" : "false");
    needComma = true;
    return this;
  }

  /** A JSON number for a double (finite values only; non-finite become strings). */
  public JsonOut number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return value(GoFloats.format(v, Notation.PLAIN));
    }
    comma();
    putFloat(v, Notation.API_VALUE);
    needComma = true;
    return this;
  }

  public JsonOut nullValue() {
    comma();
    ascii("null");
    needComma = true;
    return this;
  }

  /** A timestamp in milliseconds as float seconds: {@code 1435781451.781}, {@code 2}. */
  public JsonOut timestamp(long millis) {
    comma();
    putTimestamp(millis);
    needComma = true;
    return this;
  }

  private void putTimestamp(long millis) {
    long secs = millis / 1000;
    long frac = millis % 1000;
    if (frac == 0) {
      putLong(secs);
      return;
    }
    if (millis < 0) {
      put('-');
      secs = -secs;
      frac = -frac;
    }
    putLong(secs);
    ensure(4);
    buf[len++] = '.';
    buf[len++] = (byte) ('0' + frac / 100);
    buf[len++] = (byte) ('0' + frac / 10 % 10);
    buf[len++] = (byte) ('0' + frac % 10);
  }

  /** A timestamp as the shortest number of seconds ({@code 1.5}), as scalar and string results use. */
  public JsonOut shortTimestamp(long millis) {
    comma();
    ascii(java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString());
    needComma = true;
    return this;
  }

  /** A {@code [t, "v"]} pair as the API writes samples. */
  public JsonOut samplePair(long millis, double v) {
    comma();
    put('[');
    putTimestamp(millis);
    ensure(2);
    buf[len++] = ',';
    buf[len++] = '"';
    putFloat(v, Notation.API_VALUE);
    ensure(2);
    buf[len++] = '"';
    buf[len++] = ']';
    needComma = true;
    return this;
  }

  /** Raw, already-encoded JSON. */
  public JsonOut raw(String json) {
    comma();
    bytes(json.getBytes(StandardCharsets.UTF_8));
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      put(',');
      needComma = false;
    }
  }

  private void string0(String s) {
    int n = s.length();
    ensure(n + 2);
    int p = len;
    buf[p++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
        // Escapes or non-ASCII: the general path for the whole string.
        escaped(s);
        return;
      }
      buf[p++] = (byte) c;
    }
    buf[p++] = '"';
    len = p;
  }

  /** {@code s} quoted with Go's JSON escapes, encoded as UTF-8. */
  private void escaped(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
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
    bytes(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void putFloat(double v, Notation notation) {
    ensure(GoFloats.MAX_WRITTEN_LENGTH);
    len = GoFloats.write(v, notation, digits, buf, len);
  }

  private void putLong(long v) {
    if (v == Long.MIN_VALUE) {
      ascii(Long.toString(v));
      return;
    }
    ensure(20);
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    int n = DecimalDigits.count(v);
    len += n;
    DecimalDigits.write(buf, len, v, n);
  }

  private void put(char c) {
    ensure(1);
    buf[len++] = (byte) c;
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  private void ensure(int n) {
    if (buf.length - len < n) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  /** The JSON written so far, as UTF-8. */
  public byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }
}
