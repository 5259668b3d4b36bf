package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.Span;
import java.util.Arrays;

/**
 * The layout written once at the start of a histogram or float-histogram chunk, after the 3-byte
 * header ({@code writeHistogramChunkLayout} in Prometheus's {@code tsdb/chunkenc/histogram_meta.go}):
 * zero threshold (1 or 9 bytes), schema ({@code varbit_int}), positive and negative spans (count,
 * then length {@code varbit_uint} and offset {@code varbit_int} each) and, for the custom-buckets
 * schema only, the custom bounds.
 *
 * <p>Instances are immutable once built; the arrays are never modified after construction, so
 * iterators hand them out to every decoded sample.
 */
final class HistogramLayout {
  /** Prometheus's custom-buckets schema. */
  static final int CUSTOM_BUCKETS_SCHEMA = -53;

  static final Span[] NO_SPANS = new Span[0];
  static final double[] NO_VALUES = new double[0];
  static final long[] NO_LONGS = new long[0];
  /** The layout of a chunk that starts with a stale marker: schema 0, no zero bucket, no spans. */
  static final HistogramLayout EMPTY = new HistogramLayout(0, 0, NO_SPANS, NO_SPANS, NO_VALUES);

  final int schema;
  final double zeroThreshold;
  final Span[] positiveSpans;
  final Span[] negativeSpans;
  final double[] customValues;
  final int positiveBuckets;
  final int negativeBuckets;

  HistogramLayout(
      int schema,
      double zeroThreshold,
      Span[] positiveSpans,
      Span[] negativeSpans,
      double[] customValues) {
    this.schema = schema;
    this.zeroThreshold = zeroThreshold;
    this.positiveSpans = positiveSpans;
    this.negativeSpans = negativeSpans;
    this.customValues = customValues;
    this.positiveBuckets = countBuckets(positiveSpans);
    this.negativeBuckets = countBuckets(negativeSpans);
  }

  static int countBuckets(Span[] spans) {
    int n = 0;
    for (Span s : spans) {
      n += s.length();
    }
    return n;
  }

  /** Whether the custom bounds equal {@code other} (null and empty are the same). */
  boolean sameCustomValues(double[] other) {
    return Arrays.equals(customValues, other == null ? NO_VALUES : other);
  }

  void write(BitWriter w) {
    putZeroThreshold(w, zeroThreshold);
    Varbit.putInt(w, schema);
    putSpans(w, positiveSpans);
    putSpans(w, negativeSpans);
    if (schema == CUSTOM_BUCKETS_SCHEMA) {
      Varbit.putUint(w, customValues.length);
      for (double v : customValues) {
        putCustomBound(w, v);
      }
    }
  }

  static HistogramLayout read(BitReader r) {
    double zt = readZeroThreshold(r);
    long schema = Varbit.readInt(r);
    if (schema != CUSTOM_BUCKETS_SCHEMA && (schema < -4 || schema > 8)) {
      throw r.corrupt("unknown histogram schema " + schema);
    }
    Span[] pos = readSpans(r);
    Span[] neg = readSpans(r);
    double[] custom = NO_VALUES;
    if (schema == CUSTOM_BUCKETS_SCHEMA) {
      int n = checkedCount(r, Varbit.readUint(r));
      custom = new double[n];
      for (int i = 0; i < n; i++) {
        custom[i] = readCustomBound(r);
      }
    }
    return new HistogramLayout((int) schema, zt, pos, neg, custom);
  }

  private static void putSpans(BitWriter w, Span[] spans) {
    Varbit.putUint(w, spans.length);
    for (Span s : spans) {
      Varbit.putUint(w, s.length() & 0xffffffffL);
      Varbit.putInt(w, s.offset());
    }
  }

  private static Span[] readSpans(BitReader r) {
    int n = checkedCount(r, Varbit.readUint(r));
    if (n == 0) {
      return NO_SPANS;
    }
    Span[] spans = new Span[n];
    for (int i = 0; i < n; i++) {
      int length = (int) Varbit.readUint(r);
      int offset = (int) Varbit.readInt(r);
      if (length < 0) {
        throw r.corrupt("negative span length");
      }
      spans[i] = new Span(offset, length);
    }
    return spans;
  }

  private static int checkedCount(BitReader r, long n) {
    if (n < 0 || n > 1 << 16) {
      throw r.corrupt("implausible span or bound count " + n);
    }
    return (int) n;
  }

  /**
   * 0 as one zero byte; a power of two 2^-243..2^10 as one byte {@code exponent + 243} (the
   * exponent of Go's {@code math.Frexp}, whose fraction is 0.5); anything else as 255 and the 64
   * raw bits.
   */
  static void putZeroThreshold(BitWriter w, double threshold) {
    if (threshold == 0) {
      w.writeByte(0);
      return;
    }
    int exp = frexpExponentOfPowerOfTwo(threshold);
    if (exp == Integer.MIN_VALUE || exp < -242 || exp > 11) {
      w.writeByte(255);
      w.writeBits(Double.doubleToRawLongBits(threshold), 64);
      return;
    }
    w.writeByte(exp + 243);
  }

  /** Frexp's exponent if {@code v} is a positive normal power of two, else MIN_VALUE. */
  private static int frexpExponentOfPowerOfTwo(double v) {
    long bits = Double.doubleToRawLongBits(v);
    if (v <= 0 || Double.isInfinite(v) || Double.isNaN(v)) {
      return Integer.MIN_VALUE;
    }
    if ((bits & 0x000fffffffffffffL) != 0 || ((bits >>> 52) & 0x7ff) == 0) {
      return Integer.MIN_VALUE; // not a power of two, or subnormal (outside the range anyway)
    }
    return Math.getExponent(v) + 1;
  }

  static double readZeroThreshold(BitReader r) {
    int b = r.readByte();
    if (b == 0) {
      return 0;
    }
    if (b == 255) {
      return Double.longBitsToDouble(r.readBits(64));
    }
    return Math.scalb(0.5, b - 243);
  }

  /**
   * A multiple of 0.001 in [0, 33554.430] as {@code varbit_uint(x*1000 + 1)}; anything else as a
   * 0 bit and the 64 raw bits.
   */
  static void putCustomBound(BitWriter w, double f) {
    double tf = f * 1000;
    if (tf < 0 || tf > 33554430 || !isWholeWhenMultiplied(f)) {
      w.writeBit(false);
      w.writeBits(Double.doubleToRawLongBits(f), 64);
      return;
    }
    Varbit.putUint(w, (long) goRound(tf) + 1);
  }

  /** Go's {@code uint(math.Round(in*1000))/1000 == in}. */
  private static boolean isWholeWhenMultiplied(double in) {
    double rounded = goRound(in * 1000);
    long i = rounded < 0 ? 0 : (long) rounded; // only reached for 0 <= tf <= 33554430
    return (double) i / 1000 == in;
  }

  /** Go's math.Round: half away from zero. */
  private static double goRound(double x) {
    double a = Math.abs(x);
    double t = Math.floor(a);
    if (a - t >= 0.5) {
      t += 1;
    }
    return Math.copySign(t, x);
  }

  static double readCustomBound(BitReader r) {
    long b = Varbit.readUint(r);
    if (b == 0) {
      return Double.longBitsToDouble(r.readBits(64));
    }
    return (double) (b - 1) / 1000;
  }
}
