package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Write-ahead log records of native-histogram samples in Prometheus's layout ({@code
 * tsdb/record/record.go}, the V1 records): histogram samples (type 7), float-histogram samples
 * (8) and their custom-buckets variants (9, 10), which hold the histograms of schema -53.
 *
 * <p>A record is the type byte, the first sample's ref and timestamp as big-endian 64-bit bases,
 * then per sample varint(ref - base ref), varint(t - base t) and the histogram: hint byte, schema
 * varint, zero threshold as 64 raw bits, zero count and count (uvarint for integer histograms,
 * float64 bits for float ones), sum bits, positive then negative spans (uvarint count, then
 * varint offset and uvarint length each), positive then negative buckets (uvarint count, then
 * varint deltas or float64 counts) and, for schema -53 only, the custom bounds (uvarint count,
 * float64 each). Stateless; decoders throw {@link IllegalArgumentException} on malformed input.
 */
public final class HistogramRecords {
  public static final byte HISTOGRAM_SAMPLES = 7;
  public static final byte FLOAT_HISTOGRAM_SAMPLES = 8;
  public static final byte CUSTOM_BUCKETS_HISTOGRAM_SAMPLES = 9;
  public static final byte CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES = 10;

  private static final int CUSTOM_BUCKETS = -53;

  private HistogramRecords() {}

  /** Receives decoded integer histogram samples. */
  @FunctionalInterface
  public interface HistogramConsumer {
    void accept(long ref, long t, Histogram h);
  }

  /** Receives decoded float histogram samples. */
  @FunctionalInterface
  public interface FloatHistogramConsumer {
    void accept(long ref, long t, FloatHistogram h);
  }

  /**
   * Encodes the integer histograms among the first {@code n} entries whose custom-bucket use
   * equals {@code customBuckets} (entries with a null histogram are skipped) into one record of
   * type 7 or 9; returns null when there is none. As Prometheus, the bases of a type 7 record are
   * those of the first integer histogram, custom-bucket or not, and of a type 9 record those of the
   * first custom-bucket one.
   */
  public static byte[] encodeHistograms(long[] refs, long[] ts, Histogram[] hs, int n, boolean customBuckets) {
    return encode(customBuckets ? CUSTOM_BUCKETS_HISTOGRAM_SAMPLES : HISTOGRAM_SAMPLES, refs, ts, hs, n, customBuckets,
        64, h -> h.schema, HistogramRecords::putHistogram);
  }

  /** As {@link #encodeHistograms} for float histograms (types 8 and 10). */
  public static byte[] encodeFloatHistograms(long[] refs, long[] ts, FloatHistogram[] hs, int n, boolean customBuckets) {
    return encode(customBuckets ? CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES : FLOAT_HISTOGRAM_SAMPLES, refs, ts, hs, n,
        customBuckets, 96, h -> h.schema, HistogramRecords::putFloatHistogram);
  }

  /**
   * The record framing both kinds share: type byte, bases from the first entry (see {@link
   * #encodeHistograms}), then per selected entry the ref and time deltas and {@code body}.
   */
  private static <H> byte[] encode(byte type, long[] refs, long[] ts, H[] hs, int n, boolean customBuckets,
      int bytesPerSample, ToIntFunction<H> schema, BiConsumer<RecordBuffer, H> body) {
    int first = -1;
    for (int i = 0; i < n && first < 0; i++) {
      if (hs[i] != null && (schema.applyAsInt(hs[i]) == CUSTOM_BUCKETS) == customBuckets) {
        first = i;
      }
    }
    if (first < 0) {
      return null;
    }
    if (!customBuckets) {
      first = firstNonNull(hs, n);
    }
    RecordBuffer b = new RecordBuffer(32 + n * bytesPerSample);
    b.put(type);
    b.putBE64(refs[first]);
    b.putBE64(ts[first]);
    for (int i = 0; i < n; i++) {
      H h = hs[i];
      if (h == null || (schema.applyAsInt(h) == CUSTOM_BUCKETS) != customBuckets) {
        continue;
      }
      b.putVarint(refs[i] - refs[first]);
      b.putVarint(ts[i] - ts[first]);
      body.accept(b, h);
    }
    return b.toArray();
  }

  private static void putHistogram(RecordBuffer b, Histogram h) {
    putPrefix(b, h.counterResetHint, h.schema, h.zeroThreshold);
    b.putUvarint(h.zeroCount);
    b.putUvarint(h.count);
    b.putDouble(h.sum);
    putSpans(b, h.positiveSpans);
    putSpans(b, h.negativeSpans);
    b.putUvarint(h.positiveBuckets.length);
    for (long v : h.positiveBuckets) {
      b.putVarint(v);
    }
    b.putUvarint(h.negativeBuckets.length);
    for (long v : h.negativeBuckets) {
      b.putVarint(v);
    }
    putCustomIfUsed(b, h.schema, h.customValues);
  }

  private static void putFloatHistogram(RecordBuffer b, FloatHistogram h) {
    putPrefix(b, h.counterResetHint, h.schema, h.zeroThreshold);
    b.putDouble(h.zeroCount);
    b.putDouble(h.count);
    b.putDouble(h.sum);
    putSpans(b, h.positiveSpans);
    putSpans(b, h.negativeSpans);
    b.putUvarint(h.positiveBuckets.length);
    for (double v : h.positiveBuckets) {
      b.putDouble(v);
    }
    b.putUvarint(h.negativeBuckets.length);
    for (double v : h.negativeBuckets) {
      b.putDouble(v);
    }
    putCustomIfUsed(b, h.schema, h.customValues);
  }

  /** Hint byte, schema varint and the zero threshold's 64 raw bits. */
  private static void putPrefix(RecordBuffer b, CounterResetHint hint, int schema, double zeroThreshold) {
    b.put((byte) hint.ordinal());
    b.putVarint(schema);
    b.putDouble(zeroThreshold);
  }

  private static int firstNonNull(Object[] hs, int n) {
    for (int i = 0; i < n; i++) {
      if (hs[i] != null) {
        return i;
      }
    }
    return -1;
  }

  private static void putSpans(RecordBuffer b, Span[] spans) {
    b.putUvarint(spans.length);
    for (Span s : spans) {
      b.putVarint(s.offset());
      b.putUvarint(s.length() & 0xffffffffL);
    }
  }

  /** The custom bounds (uvarint count, float64 each) of a schema -53 histogram; nothing otherwise. */
  private static void putCustomIfUsed(RecordBuffer b, int schema, double[] values) {
    if (schema != CUSTOM_BUCKETS) {
      return;
    }
    double[] v = values == null ? new double[0] : values;
    b.putUvarint(v.length);
    for (double x : v) {
      b.putDouble(x);
    }
  }

  /** Decodes a record of type 7 or 9. */
  public static void decodeHistograms(byte[] rec, HistogramConsumer out) {
    decode(rec, HISTOGRAM_SAMPLES, CUSTOM_BUCKETS_HISTOGRAM_SAMPLES, "histogram", HistogramRecords::getHistogram,
        out::accept);
  }

  /** Decodes a record of type 8 or 10. */
  public static void decodeFloatHistograms(byte[] rec, FloatHistogramConsumer out) {
    decode(rec, FLOAT_HISTOGRAM_SAMPLES, CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES, "float histogram",
        HistogramRecords::getFloatHistogram, out::accept);
  }

  /** Receives one decoded sample of either kind. */
  @FunctionalInterface
  private interface Sink<H> {
    void accept(long ref, long t, H h);
  }

  /** The record framing both kinds share: type check, bases, then per sample the deltas and {@code body}. */
  private static <H> void decode(byte[] rec, byte type, byte customType, String what, Function<Reader, H> body,
      Sink<H> out) {
    Reader r = new Reader(rec);
    if (rec[0] != type && rec[0] != customType) {
      throw new IllegalArgumentException("record type " + rec[0] + " is not a " + what + " record");
    }
    if (!r.hasMore()) {
      return;
    }
    long baseRef = r.getBE64();
    long baseT = r.getBE64();
    while (r.hasMore()) {
      long ref = baseRef + r.getVarint();
      long t = baseT + r.getVarint();
      out.accept(ref, t, body.apply(r));
    }
  }

  private static Histogram getHistogram(Reader r) {
    Histogram h = new Histogram();
    h.counterResetHint = hint(r.getByte());
    h.schema = (int) r.getVarint();
    h.zeroThreshold = r.getDouble();
    h.zeroCount = r.getUvarint();
    h.count = r.getUvarint();
    h.sum = r.getDouble();
    h.positiveSpans = getSpans(r);
    h.negativeSpans = getSpans(r);
    h.positiveBuckets = getDeltas(r);
    h.negativeBuckets = getDeltas(r);
    if (h.schema == CUSTOM_BUCKETS) {
      h.customValues = getDoubles(r);
    }
    return h;
  }

  private static FloatHistogram getFloatHistogram(Reader r) {
    FloatHistogram h = new FloatHistogram();
    h.counterResetHint = hint(r.getByte());
    h.schema = (int) r.getVarint();
    h.zeroThreshold = r.getDouble();
    h.zeroCount = r.getDouble();
    h.count = r.getDouble();
    h.sum = r.getDouble();
    h.positiveSpans = getSpans(r);
    h.negativeSpans = getSpans(r);
    h.positiveBuckets = getDoubles(r);
    h.negativeBuckets = getDoubles(r);
    if (h.schema == CUSTOM_BUCKETS) {
      h.customValues = getDoubles(r);
    }
    return h;
  }

  private static CounterResetHint hint(int b) {
    if (b < 0 || b > 3) {
      throw new IllegalArgumentException("unknown counter reset hint " + b);
    }
    return CounterResetHint.of(b);
  }

  private static int count(Reader r) {
    long n = r.getUvarint();
    if (n < 0 || n > r.remaining()) {
      throw new IllegalArgumentException("implausible count " + n + " at byte " + r.pos);
    }
    return (int) n;
  }

  private static Span[] getSpans(Reader r) {
    int n = count(r);
    Span[] s = new Span[n];
    for (int i = 0; i < n; i++) {
      int offset = (int) r.getVarint();
      int length = (int) r.getUvarint();
      s[i] = new Span(offset, length);
    }
    return s;
  }

  private static long[] getDeltas(Reader r) {
    int n = count(r);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.getVarint();
    }
    return v;
  }

  private static double[] getDoubles(Reader r) {
    int n = count(r);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.getDouble();
    }
    return v;
  }

  private static final class Reader {
    private final byte[] b;
    private int pos = 1;

    Reader(byte[] b) {
      if (b.length == 0) {
        throw new IllegalArgumentException("empty record");
      }
      this.b = b;
    }

    boolean hasMore() {
      return pos < b.length;
    }

    int remaining() {
      return b.length - pos;
    }

    int getByte() {
      if (pos >= b.length) {
        throw new IllegalArgumentException("record truncated at byte " + pos);
      }
      return b[pos++] & 0xff;
    }

    long getBE64() {
      if (pos + 8 > b.length) {
        throw new IllegalArgumentException("record truncated at byte " + pos);
      }
      long x = 0;
      for (int i = 0; i < 8; i++) {
        x = (x << 8) | (b[pos++] & 0xff);
      }
      return x;
    }

    double getDouble() {
      return Double.longBitsToDouble(getBE64());
    }

    long getUvarint() {
      long x = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        int c = getByte();
        x |= (long) (c & 0x7f) << shift;
        if (c < 0x80) {
          return x;
        }
      }
      throw new IllegalArgumentException("varint overflow at byte " + pos);
    }

    long getVarint() {
      long u = getUvarint();
      return (u >>> 1) ^ -(u & 1);
    }
  }
}
