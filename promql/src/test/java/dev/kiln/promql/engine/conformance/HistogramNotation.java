package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the native-histogram items of test scripts: {@code {{schema:0 sum:5 count:4
 * buckets:[1 2 1]}}}, optionally followed by {@code xN} (N+1 copies) or {@code +{{...}}xN} /
 * {@code -{{...}}xN} (N+1 histograms built by repeated addition or subtraction), as Prometheus's
 * series-description grammar does.
 */
final class HistogramNotation {
  private HistogramNotation() {}

  /** Parses the item starting at {@code s[pos[0]]} ("{{"), appends its values, advances pos. */
  static void parse(String s, int[] pos, List<SequenceValue> out) {
    boolean[] hintSet = new boolean[1];
    FloatHistogram base = one(s, pos, hintSet);
    int i = pos[0];
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.startsWith("{{", i + 1)) {
      boolean add = s.charAt(i) == '+';
      pos[0] = i + 1;
      boolean[] incHint = new boolean[1];
      FloatHistogram inc = one(s, pos, incHint);
      int times = times(s, pos);
      out.add(SequenceValue.of(base, incHint[0]));
      FloatHistogram cur = base;
      for (int k = 1; k <= times; k++) {
        if (cur.schema > inc.schema) {
          throw new IllegalArgumentException("error combining histograms: cannot merge from schema "
              + inc.schema + " to " + cur.schema);
        }
        cur = cur.copy();
        if (add) {
          cur.add(inc);
        } else {
          cur.sub(inc);
        }
        out.add(SequenceValue.of(cur, incHint[0]));
      }
      return;
    }
    int times = 0;
    if (i < s.length() && s.charAt(i) == 'x') {
      times = times(s, pos);
    }
    for (int k = 0; k <= times; k++) {
      out.add(SequenceValue.of(base, hintSet[0]));
    }
  }

  private static int times(String s, int[] pos) {
    int i = pos[0];
    if (i >= s.length() || s.charAt(i) != 'x') {
      throw new IllegalArgumentException("expected xN after histogram in " + s);
    }
    int j = i + 1;
    while (j < s.length() && Character.isDigit(s.charAt(j))) {
      j++;
    }
    pos[0] = j;
    return Integer.parseInt(s.substring(i + 1, j));
  }

  /** Parses one {@code {{...}}}. */
  static FloatHistogram one(String s, int[] pos, boolean[] hintSet) {
    int start = pos[0];
    if (!s.startsWith("{{", start)) {
      throw new IllegalArgumentException("expected {{ at " + start + " in " + s);
    }
    int end = s.indexOf("}}", start);
    if (end < 0) {
      throw new IllegalArgumentException("unterminated histogram in " + s);
    }
    pos[0] = end + 2;
    String body = s.substring(start + 2, end).trim();
    FloatHistogram h = new FloatHistogram();
    double[] buckets = null;
    double[] nBuckets = null;
    int offset = 0;
    int nOffset = 0;
    Set<String> seen = new HashSet<>();
    int i = 0;
    while (i < body.length()) {
      while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
        i++;
      }
      if (i >= body.length()) {
        break;
      }
      int colon = body.indexOf(':', i);
      String key = body.substring(i, colon).trim();
      if (!seen.add(key)) {
        throw new IllegalArgumentException("duplicate key \"" + key + "\" in histogram");
      }
      i = colon + 1;
      while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
        i++;
      }
      String value;
      if (i < body.length() && body.charAt(i) == '[') {
        int close = body.indexOf(']', i);
        value = body.substring(i, close + 1);
        i = close + 1;
      } else {
        int j = i;
        while (j < body.length() && !Character.isWhitespace(body.charAt(j))) {
          j++;
        }
        value = body.substring(i, j);
        i = j;
      }
      switch (key) {
        case "schema" -> h.schema = Integer.parseInt(value);
        case "sum" -> h.sum = SeriesDescription.parseNumber(value);
        case "count" -> h.count = SeriesDescription.parseNumber(value);
        case "z_bucket" -> h.zeroCount = SeriesDescription.parseNumber(value);
        case "z_bucket_w" -> h.zeroThreshold = SeriesDescription.parseNumber(value);
        case "buckets" -> buckets = list(value);
        case "n_buckets" -> nBuckets = list(value);
        case "offset" -> offset = Integer.parseInt(value);
        case "n_offset" -> nOffset = Integer.parseInt(value);
        case "custom_values" -> h.customValues = list(value);
        case "counter_reset_hint" -> {
          hintSet[0] = true;
          h.counterResetHint = switch (value) {
            case "unknown" -> CounterResetHint.UNKNOWN;
            case "reset" -> CounterResetHint.COUNTER_RESET;
            case "not_reset" -> CounterResetHint.NOT_COUNTER_RESET;
            case "gauge" -> CounterResetHint.GAUGE;
            default -> throw new IllegalArgumentException("error parsing counter_reset_hint: " + value);
          };
        }
        default -> throw new IllegalArgumentException("unknown histogram key " + key);
      }
    }
    if (buckets != null && buckets.length > 0) {
      h.positiveBuckets = buckets;
      h.positiveSpans = new Span[] {new Span(offset, buckets.length)};
    }
    if (nBuckets != null && nBuckets.length > 0) {
      h.negativeBuckets = nBuckets;
      h.negativeSpans = new Span[] {new Span(nOffset, nBuckets.length)};
    }
    return h;
  }

  private static double[] list(String v) {
    String inner = v.substring(1, v.length() - 1).trim();
    if (inner.isEmpty()) {
      return new double[0];
    }
    List<Double> out = new ArrayList<>();
    for (String p : inner.split("\\s+")) {
      out.add(SeriesDescription.parseNumber(p));
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
