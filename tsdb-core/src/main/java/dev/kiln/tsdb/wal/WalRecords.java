package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes and decodes write-ahead log records in Prometheus's layout ({@code tsdb/record}):
 *
 * <ul>
 *   <li>series (type 1): per series a big-endian uint64 ref, a uvarint label count, then each
 *       name and value as uvarint length + UTF-8 bytes;
 *   <li>samples (type 2): the first sample's ref and timestamp as big-endian 64-bit bases, then
 *       per sample varint(ref - base ref), varint(t - base t) and the value's 64 raw bits
 *       (big-endian);
 *   <li>tombstones (type 3): per deleted interval a big-endian uint64 ref, varint mint, varint maxt;
 *   <li>exemplars (type 4): laid out as samples, each entry followed by the exemplar's labels as a
 *       uvarint count and uvarint-length-prefixed names and values (Prometheus's {@code Exemplars}).
 * </ul>
 *
 * Stateless; decoders throw {@link IllegalArgumentException} on malformed input.
 */
public final class WalRecords {
  public static final byte SERIES = 1;
  public static final byte SAMPLES = 2;
  public static final byte TOMBSTONES = 3;
  public static final byte EXEMPLARS = 4;

  private WalRecords() {}

  /** A series record entry. */
  public record SeriesRecord(long ref, Labels labels) {}

  /** A deleted time range of one series (both ends inclusive, milliseconds). */
  public record Tombstone(long ref, long mint, long maxt) {}

  /** An exemplar record entry: the series ref, the exemplar's time, value and labels. */
  public record ExemplarRecord(long ref, long t, double v, Labels labels) {}

  /** Receives decoded samples without boxing. */
  @FunctionalInterface
  public interface SampleConsumer {
    void accept(long ref, long t, double v);
  }

  public static byte[] encodeSeries(List<SeriesRecord> series) {
    RecordBuffer b = new RecordBuffer(16 + series.size() * 64);
    b.put(SERIES);
    for (SeriesRecord s : series) {
      putSeries(b, s.ref(), s.labels());
    }
    return b.toArray();
  }

  /** Encodes a series record of the log's new series into {@code b} (appended to its contents). */
  static void encodeSeries(RecordBuffer b, List<CommitLog.SeriesEntry> series) {
    b.put(SERIES);
    for (CommitLog.SeriesEntry s : series) {
      putSeries(b, s.ref(), s.labels());
    }
  }

  private static void putSeries(RecordBuffer b, long ref, Labels l) {
    b.putBE64(ref);
    b.putUvarint(l.size());
    for (int i = 0; i < l.size(); i++) {
      b.putString(l.name(i));
      b.putString(l.value(i));
    }
  }

  /** Encodes the first {@code n} samples of the arrays. */
  public static byte[] encodeSamples(long[] refs, long[] ts, double[] vs, int n) {
    RecordBuffer b = new RecordBuffer(17 + n * 14);
    encodeSamples(b, refs, ts, vs, n);
    return b.toArray();
  }

  /** Encodes a samples record of the first {@code n} samples into {@code b} (appended). */
  static void encodeSamples(RecordBuffer b, long[] refs, long[] ts, double[] vs, int n) {
    b.put(SAMPLES);
    if (n == 0) {
      return;
    }
    long baseRef = refs[0];
    long baseT = ts[0];
    b.putBE64(baseRef);
    b.putBE64(baseT);
    b.reserve(n * 28);
    for (int i = 0; i < n; i++) {
      long dr = refs[i] - baseRef;
      long dt = ts[i] - baseT;
      b.putUvarintUnchecked((dr << 1) ^ (dr >> 63));
      b.putUvarintUnchecked((dt << 1) ^ (dt >> 63));
      b.putBE64Unchecked(Double.doubleToRawLongBits(vs[i]));
    }
  }

  /** Encodes an exemplars record (Prometheus's {@code Encoder.Exemplars}). */
  public static byte[] encodeExemplars(List<ExemplarRecord> exemplars) {
    RecordBuffer b = new RecordBuffer(17 + exemplars.size() * 48);
    b.put(EXEMPLARS);
    if (exemplars.isEmpty()) {
      return b.toArray();
    }
    long baseRef = exemplars.get(0).ref();
    long baseT = exemplars.get(0).t();
    b.putBE64(baseRef);
    b.putBE64(baseT);
    for (ExemplarRecord e : exemplars) {
      b.putVarint(e.ref() - baseRef);
      b.putVarint(e.t() - baseT);
      b.putBE64(Double.doubleToRawLongBits(e.v()));
      Labels l = e.labels();
      b.putUvarint(l.size());
      for (int i = 0; i < l.size(); i++) {
        b.putString(l.name(i));
        b.putString(l.value(i));
      }
    }
    return b.toArray();
  }

  public static void decodeExemplars(byte[] rec, java.util.function.Consumer<ExemplarRecord> out) {
    Reader r = new Reader(rec, EXEMPLARS);
    if (!r.hasMore()) {
      return;
    }
    long baseRef = r.getBE64();
    long baseT = r.getBE64();
    while (r.hasMore()) {
      long ref = baseRef + r.getVarint();
      long t = baseT + r.getVarint();
      double v = Double.longBitsToDouble(r.getBE64());
      int n = (int) r.getUvarint();
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("exemplar record: implausible label count " + n);
      }
      String[] pairs = new String[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        pairs[i] = r.getString();
      }
      out.accept(new ExemplarRecord(ref, t, v, toLabels(pairs)));
    }
  }

  public static byte[] encodeTombstones(List<Tombstone> stones) {
    RecordBuffer b = new RecordBuffer(1 + stones.size() * 28);
    b.put(TOMBSTONES);
    for (Tombstone s : stones) {
      b.putBE64(s.ref());
      b.putVarint(s.mint());
      b.putVarint(s.maxt());
    }
    return b.toArray();
  }

  /** The record's type byte. */
  public static byte type(byte[] rec) {
    if (rec.length == 0) {
      throw new IllegalArgumentException("empty record");
    }
    return rec[0];
  }

  public static void decodeSeries(byte[] rec, java.util.function.Consumer<SeriesRecord> out) {
    Reader r = new Reader(rec, SERIES);
    while (r.hasMore()) {
      long ref = r.getBE64();
      int n = (int) r.getUvarint();
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("series record: implausible label count " + n);
      }
      String[] pairs = new String[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        pairs[i] = r.getString();
      }
      out.accept(new SeriesRecord(ref, toLabels(pairs)));
    }
  }

  public static void decodeSamples(byte[] rec, SampleConsumer out) {
    Reader r = new Reader(rec, SAMPLES);
    if (!r.hasMore()) {
      return;
    }
    long baseRef = r.getBE64();
    long baseT = r.getBE64();
    while (r.hasMore()) {
      long ref = baseRef + r.getVarint();
      long t = baseT + r.getVarint();
      double v = Double.longBitsToDouble(r.getBE64());
      out.accept(ref, t, v);
    }
  }

  public static void decodeTombstones(byte[] rec, java.util.function.Consumer<Tombstone> out) {
    Reader r = new Reader(rec, TOMBSTONES);
    while (r.hasMore()) {
      long ref = r.getBE64();
      long mint = r.getVarint();
      long maxt = r.getVarint();
      out.accept(new Tombstone(ref, mint, maxt));
    }
  }

  private static Labels toLabels(String[] pairs) {
    boolean sorted = true;
    for (int i = 2; i < pairs.length; i += 2) {
      if (pairs[i - 2].compareTo(pairs[i]) >= 0) {
        sorted = false;
        break;
      }
    }
    boolean nonEmpty = true;
    for (int i = 0; i < pairs.length; i++) {
      if (pairs[i].isEmpty()) {
        nonEmpty = false;
        break;
      }
    }
    if (sorted && nonEmpty) {
      return Labels.ofSortedUnchecked(pairs);
    }
    return Labels.of(pairs);
  }

  /** Sequential decoder over one record. */
  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b, byte expectedType) {
      if (b.length == 0 || b[0] != expectedType) {
        throw new IllegalArgumentException(
            "record type " + (b.length == 0 ? "none" : b[0]) + ", expected " + expectedType);
      }
      this.b = b;
      this.pos = 1;
    }

    boolean hasMore() {
      return pos < b.length;
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

    long getUvarint() {
      long x = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= b.length) {
          throw new IllegalArgumentException("record truncated in varint at byte " + pos);
        }
        int c = b[pos++] & 0xff;
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

    String getString() {
      long len = getUvarint();
      if (len < 0 || pos + len > b.length) {
        throw new IllegalArgumentException("string length " + len + " overruns record at " + pos);
      }
      String s = new String(b, pos, (int) len, StandardCharsets.UTF_8);
      pos += (int) len;
      return s;
    }
  }
}
