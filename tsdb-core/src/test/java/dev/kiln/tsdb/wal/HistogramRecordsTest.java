package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Histogram WAL records against bytes derived by hand from Prometheus's encoder
 * (prometheus/prometheus {@code tsdb/record/record.go}: {@code histogramSamplesV1}, {@code
 * EncodeHistogram}, {@code EncodeFloatHistogram}, {@code customBucketsHistogramSamplesV1}).
 */
class HistogramRecordsTest {
  private static Histogram sample() {
    Histogram h = new Histogram();
    h.counterResetHint = CounterResetHint.NOT_COUNTER_RESET;
    h.schema = 1;
    h.zeroThreshold = 0.001;
    h.zeroCount = 2;
    h.count = 5;
    h.sum = 1.5;
    h.positiveSpans = new Span[] {new Span(-1, 2)};
    h.positiveBuckets = new long[] {1, 1};
    return h;
  }

  /**
   * type 07; base ref 0x0102 and base t 1000 as BE64; then varint 0 (ref delta), varint 0 (t
   * delta); hint 02 (NotCounterReset); schema varint(1) = 02; zero threshold 0.001 as BE64
   * 3f50624dd2f1a9fc; zero count uvarint 02; count 05; sum 1.5 = 3ff8000000000000; 1 positive span:
   * 01, offset varint(-1) = 01, length 02; 0 negative spans: 00; 2 positive buckets: 02, varint(1)
   * = 02, 02; 0 negative buckets: 00.
   */
  @Test
  void integerHistogramRecordMatchesPrometheus() {
    byte[] rec = HistogramRecords.encodeHistograms(new long[] {0x0102}, new long[] {1000},
        new Histogram[] {sample()}, 1, false);
    assertEquals(
        "07" + "0000000000000102" + "00000000000003e8" + "00" + "00" + "02" + "02"
            + "3f50624dd2f1a9fc" + "02" + "05" + "3ff8000000000000" + "01" + "01" + "02" + "00"
            + "02" + "02" + "02" + "00",
        HexFormat.of().formatHex(rec));
    List<Histogram> got = new ArrayList<>();
    HistogramRecords.decodeHistograms(rec, (ref, t, h) -> {
      assertEquals(0x0102, ref);
      assertEquals(1000, t);
      got.add(h);
    });
    assertEquals(List.of(sample()), got);
    assertEquals(CounterResetHint.NOT_COUNTER_RESET, got.get(0).counterResetHint);
  }

  /** Custom-bucket histograms go to their own record (type 9) with the bounds appended. */
  @Test
  void customBucketHistogramsGetTheirOwnRecordType() {
    Histogram c = new Histogram();
    c.schema = -53;
    c.count = 3;
    c.sum = 2;
    c.positiveSpans = new Span[] {new Span(0, 2)};
    c.positiveBuckets = new long[] {1, 1};
    c.customValues = new double[] {0.5};
    Histogram[] hs = {sample(), c};
    long[] refs = {5, 7};
    long[] ts = {100, 90};
    byte[] expo = HistogramRecords.encodeHistograms(refs, ts, hs, 2, false);
    byte[] custom = HistogramRecords.encodeHistograms(refs, ts, hs, 2, true);
    assertEquals(HistogramRecords.HISTOGRAM_SAMPLES, expo[0]);
    // Bases of the type 7 record: the first integer histogram's (ref 5, t 100).
    assertEquals("07" + "0000000000000005" + "0000000000000064" + "00" + "00",
        HexFormat.of().formatHex(Arrays.copyOf(expo, 19)));
    Histogram[] customFirst = {c, sample()};
    byte[] expo2 = HistogramRecords.encodeHistograms(new long[] {7, 5}, new long[] {90, 100}, customFirst, 2, false);
    // As Prometheus, a leading custom-bucket histogram still sets the bases: ref +(-2), t +10.
    assertEquals("07" + "0000000000000007" + "000000000000005a" + "03" + "14",
        HexFormat.of().formatHex(Arrays.copyOf(expo2, 19)));
    // type 09, base ref 7, base t 90, deltas 0 0, hint 00, schema varint(-53) = 69, zero threshold
    // 0, zero count 0, count 3, sum 2.0, span (0,2), no negative spans, buckets 1 1, no negative
    // buckets, 1 custom value 0.5.
    assertEquals("09" + "0000000000000007" + "000000000000005a" + "0000" + "00" + "69"
        + "0000000000000000" + "00" + "03" + "4000000000000000" + "01" + "00" + "02" + "00" + "02"
        + "02" + "02" + "00" + "01" + "3fe0000000000000", HexFormat.of().formatHex(custom));
    List<Histogram> got = new ArrayList<>();
    HistogramRecords.decodeHistograms(custom, (ref, t, h) -> got.add(h));
    assertEquals(List.of(c), got);
    assertArrayEquals(new double[] {0.5}, got.get(0).customValues);
    assertNull(HistogramRecords.encodeHistograms(refs, ts, new Histogram[] {null, null}, 2, false));
  }

  @Test
  void floatHistogramRecordRoundTrips() {
    FloatHistogram fh = sample().toFloat(null);
    fh.counterResetHint = CounterResetHint.GAUGE;
    fh.sum = -0.0;
    byte[] rec = HistogramRecords.encodeFloatHistograms(new long[] {9, 12}, new long[] {50, 40},
        new FloatHistogram[] {fh, fh.copy()}, 2, false);
    assertEquals(HistogramRecords.FLOAT_HISTOGRAM_SAMPLES, rec[0]);
    // After the bases: varint 0, varint 0, hint 03, schema 02, then zero threshold, zero count,
    // count and sum as raw float64 bits.
    assertEquals("0000" + "03" + "02" + "3f50624dd2f1a9fc" + "4000000000000000" + "4014000000000000"
        + "8000000000000000", HexFormat.of().formatHex(Arrays.copyOfRange(rec, 17, 17 + 36)));
    List<String> got = new ArrayList<>();
    HistogramRecords.decodeFloatHistograms(rec, (ref, t, h) -> {
      assertEquals(fh, h);
      assertEquals(CounterResetHint.GAUGE, h.counterResetHint);
      got.add(ref + "@" + t);
    });
    assertEquals(List.of("9@50", "12@40"), got);
  }

  @Test
  void truncatedRecordsAreRejected() {
    byte[] rec = HistogramRecords.encodeHistograms(new long[] {1}, new long[] {1},
        new Histogram[] {sample()}, 1, false);
    for (int cut = 18; cut < rec.length; cut++) {
      byte[] part = Arrays.copyOf(rec, cut);
      assertThrows(IllegalArgumentException.class, () -> HistogramRecords.decodeHistograms(part, (r, t, h) -> {}));
    }
  }
}
