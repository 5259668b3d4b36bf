package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one remote write {@code Histogram} message (the same fields in 1.0's {@code
 * prometheus.Histogram} and 2.0's {@code io.prometheus.write.v2.Histogram}) in place from the
 * request's buffer into an integer histogram, or a float histogram when the count is {@code count_float}, as Prometheus's
 * {@code ToIntHistogram} / {@code ToFloatHistogram}. Stateless.
 */
final class HistogramDecoder {
  private HistogramDecoder() {}

  /** A decoded histogram sample: exactly one of {@code h} and {@code fh} is set. */
  record Sample(long timestamp, Histogram h, FloatHistogram fh) {}

  /** Decodes the histogram message the reader is narrowed to ({@link WireReader#enter}), up to its end. */
  static Sample decode(WireReader r) throws InvalidWriteException {
    boolean isFloat = false;
    long countInt = 0;
    double countFloat = 0;
    long zeroInt = 0;
    double zeroFloat = 0;
    double sum = 0;
    int schema = 0;
    double zeroThreshold = 0;
    int hint = 0;
    long t = 0;
    List<Span> neg = new ArrayList<>();
    List<Span> pos = new ArrayList<>();
    LongList negDeltas = new LongList();
    LongList posDeltas = new LongList();
    DoubleList negCounts = new DoubleList();
    DoubleList posCounts = new DoubleList();
    DoubleList custom = new DoubleList();
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = tag >>> 3;
      int wire = tag & 7;
      switch (field) {
        case 1 -> {
          expect(wire, WireReader.VARINT, field);
          countInt = r.readVarint();
          isFloat = false;
        }
        case 2 -> {
          expect(wire, WireReader.FIXED64, field);
          countFloat = Double.longBitsToDouble(r.readFixed64());
          isFloat = true;
        }
        case 3 -> {
          expect(wire, WireReader.FIXED64, field);
          sum = Double.longBitsToDouble(r.readFixed64());
        }
        case 4 -> {
          expect(wire, WireReader.VARINT, field);
          schema = (int) zigzag(r.readVarint());
        }
        case 5 -> {
          expect(wire, WireReader.FIXED64, field);
          zeroThreshold = Double.longBitsToDouble(r.readFixed64());
        }
        case 6 -> {
          expect(wire, WireReader.VARINT, field);
          zeroInt = r.readVarint();
        }
        case 7 -> {
          expect(wire, WireReader.FIXED64, field);
          zeroFloat = Double.longBitsToDouble(r.readFixed64());
        }
        case 8, 11 -> {
          expect(wire, WireReader.LENGTH_DELIMITED, field);
          int outer = r.enter();
          (field == 8 ? neg : pos).add(span(r));
          r.leave(outer);
        }
        case 9, 12 -> readSint64s(r, wire, field == 9 ? negDeltas : posDeltas);
        case 10, 13, 16 -> readDoubles(r, wire, field == 10 ? negCounts : field == 13 ? posCounts : custom);
        case 14 -> {
          expect(wire, WireReader.VARINT, field);
          hint = (int) r.readVarint();
        }
        case 15 -> {
          expect(wire, WireReader.VARINT, field);
          t = r.readVarint();
        }
        default -> r.skipField(tag);
      }
    }
    if (hint < 0 || hint > 3) {
      throw new InvalidWriteException("invalid histogram: unknown reset hint " + hint);
    }
    CounterResetHint h = CounterResetHint.of(hint);
    double[] customValues = schema == -53 || custom.n > 0 ? custom.toArray() : null;
    if (isFloat) {
      FloatHistogram fh = new FloatHistogram();
      fh.counterResetHint = h;
      fh.schema = schema;
      fh.zeroThreshold = zeroThreshold;
      fh.zeroCount = zeroFloat;
      fh.count = countFloat;
      fh.sum = sum;
      fh.positiveSpans = pos.toArray(new Span[0]);
      fh.negativeSpans = neg.toArray(new Span[0]);
      fh.positiveBuckets = posCounts.toArray();
      fh.negativeBuckets = negCounts.toArray();
      fh.customValues = customValues;
      return new Sample(t, null, fh);
    }
    Histogram ih = new Histogram();
    ih.counterResetHint = h;
    ih.schema = schema;
    ih.zeroThreshold = zeroThreshold;
    ih.zeroCount = zeroInt;
    ih.count = countInt;
    ih.sum = sum;
    ih.positiveSpans = pos.toArray(new Span[0]);
    ih.negativeSpans = neg.toArray(new Span[0]);
    ih.positiveBuckets = posDeltas.toArray();
    ih.negativeBuckets = negDeltas.toArray();
    ih.customValues = customValues;
    return new Sample(t, ih, null);
  }

  private static void expect(int wire, int want, int field) throws InvalidWriteException {
    if (wire != want) {
      throw WireReader.malformed("histogram field " + field + " has wire type " + wire);
    }
  }

  private static long zigzag(long v) {
    return WireReader.zigzag(v);
  }

  private static Span span(WireReader r) throws InvalidWriteException {
    int offset = 0;
    long length = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.VARINT)) {
        offset = (int) zigzag(r.readVarint());
      } else if (tag == (2 << 3 | WireReader.VARINT)) {
        length = r.readVarint();
      } else {
        r.skipField(tag);
      }
    }
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new InvalidWriteException("invalid histogram: span length " + length);
    }
    return new Span(offset, (int) length);
  }

  /** Packed (length-delimited) or single sint64 values. */
  private static void readSint64s(WireReader r, int wire, LongList out) throws InvalidWriteException {
    if (wire == WireReader.VARINT) {
      out.add(zigzag(r.readVarint()));
      return;
    }
    expect(wire, WireReader.LENGTH_DELIMITED, 9);
    int outer = r.enter();
    while (r.hasMore()) {
      out.add(zigzag(r.readVarint()));
    }
    r.leave(outer);
  }

  /** Packed (length-delimited) or single double values. */
  private static void readDoubles(WireReader r, int wire, DoubleList out) throws InvalidWriteException {
    if (wire == WireReader.FIXED64) {
      out.add(Double.longBitsToDouble(r.readFixed64()));
      return;
    }
    expect(wire, WireReader.LENGTH_DELIMITED, 10);
    int outer = r.enter();
    if ((r.limit() - r.position()) % 8 != 0) {
      throw WireReader.malformed("packed doubles of " + (r.limit() - r.position()) + " bytes");
    }
    while (r.hasMore()) {
      out.add(Double.longBitsToDouble(r.readFixed64()));
    }
    r.leave(outer);
  }

  private static final class LongList {
    long[] a = new long[8];
    int n;

    void add(long v) {
      if (n == a.length) {
        a = java.util.Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(a, n);
    }
  }

  private static final class DoubleList {
    double[] a = new double[8];
    int n;

    void add(double v) {
      if (n == a.length) {
        a = java.util.Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    double[] toArray() {
      return java.util.Arrays.copyOf(a, n);
    }
  }
}
