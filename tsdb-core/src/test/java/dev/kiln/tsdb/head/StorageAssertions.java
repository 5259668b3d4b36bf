package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;

/** Renders query results as text so that two storages can be compared in one assertion. */
public final class StorageAssertions {
  private StorageAssertions() {}

  /** Every series (sorted by labels) with its samples as {@code t=rawbits}. */
  public static String dump(Queryable q, long mint, long maxt, LabelMatcher... ms) {
    List<String> lines = new ArrayList<>();
    try (Querier querier = q.querier(mint, maxt)) {
      SeriesSet set = querier.select(true, null, ms);
      while (set.next()) {
        StringBuilder sb = new StringBuilder(set.at().labels().toString()).append(':');
        SampleIterator it = set.at().iterator(null);
        while (it.next() == ValueType.FLOAT) {
          sb.append(' ')
              .append(it.atT())
              .append('=')
              .append(Long.toHexString(Double.doubleToRawLongBits(it.atV())));
        }
        lines.add(sb.toString());
      }
    }
    lines.sort(null);
    return String.join("\n", lines);
  }

  /**
   * As {@link #dump}, reading each series with {@link SampleIterator#nextFloats} wherever the
   * iterator allows it (random run lengths and time limits, from a seed fixed by the range), so
   * it must render the same text as {@code dump}. Each series' iterator is made reusing the one
   * of the series before it, as the query engine does.
   */
  public static String dumpInBulk(Queryable q, long mint, long maxt, LabelMatcher... ms) {
    java.util.Random r = new java.util.Random(mint * 31 + maxt);
    long[] ts = new long[64];
    double[] vs = new double[64];
    List<String> lines = new ArrayList<>();
    try (Querier querier = q.querier(mint, maxt)) {
      SeriesSet set = querier.select(true, null, ms);
      SampleIterator prev = null;
      while (set.next()) {
        StringBuilder sb = new StringBuilder(set.at().labels().toString()).append(':');
        SampleIterator it = set.at().iterator(prev);
        prev = it;
        while (it.next() == ValueType.FLOAT) {
          sb.append(' ').append(it.atT()).append('=').append(Long.toHexString(Double.doubleToRawLongBits(it.atV())));
          while (true) {
            int len = 1 + r.nextInt(64);
            long limit = r.nextInt(4) == 0 ? it.atT() + r.nextInt(200_000) : Long.MAX_VALUE;
            int n = it.nextFloats(limit, ts, vs, 0, len);
            if (n == 0) {
              break;
            }
            for (int i = 0; i < n; i++) {
              if (ts[i] > limit) {
                throw new AssertionError("bulk read passed its limit " + limit + ": " + ts[i]);
              }
              sb.append(' ').append(ts[i]).append('=').append(Long.toHexString(Double.doubleToRawLongBits(vs[i])));
            }
            assertEquals(ts[n - 1], it.atT(), "iterator on the last sample of a bulk read");
          }
        }
        lines.add(sb.toString());
      }
    }
    lines.sort(null);
    return String.join("\n", lines);
  }

  /**
   * Asserts both storages return the same series, label names and label values; the actual
   * storage's samples are read both one by one and in bulk.
   */
  public static void assertSameView(
      Queryable expected, Queryable actual, long mint, long maxt, String msg, LabelMatcher... ms) {
    String want = dump(expected, mint, maxt, ms);
    assertEquals(want, dump(actual, mint, maxt, ms), msg);
    assertEquals(want, dumpInBulk(actual, mint, maxt, ms), msg + " (bulk reads)");
    try (Querier e = expected.querier(mint, maxt);
        Querier a = actual.querier(mint, maxt)) {
      assertEquals(e.labelNames(ms), a.labelNames(ms), msg + " labelNames");
      for (String name : e.labelNames()) {
        assertEquals(e.labelValues(name, ms), a.labelValues(name, ms), msg + " labelValues " + name);
      }
    }
  }
}
