package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a remote write 1.0 {@code prometheus.WriteRequest} straight from its bytes: time series
 * (field 1) with their labels (1), samples (2) and native histograms (4, by {@link
 * HistogramDecoder}); metadata and exemplars are skipped.
 * A series whose label bytes the {@link SeriesRefCache} knows is returned by reference without
 * decoding its labels; any other series has its labels decoded and validated ({@link
 * LabelValidation}; a series with invalid labels, including invalid UTF-8, is marked to be
 * skipped, as Prometheus 3.x skips it). The
 * whole body is decoded before anything is appended, so malformed input changes nothing.
 */
final class V1Decoder {
  private final SeriesRefCache cache;

  V1Decoder(SeriesRefCache cache) {
    this.cache = cache;
  }

  List<DecodedSeries> decode(byte[] buf) throws InvalidWriteException {
    List<DecodedSeries> out = new ArrayList<>();
    long[] key = new long[2];
    ProtoReader request = new ProtoReader(buf, 0, buf.length);
    while (request.hasMore()) {
      int tag = request.readTag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = request.readLengthDelimitedEnd();
        out.add(series(buf, request.position(), end, key));
        request.seek(end);
      } else {
        request.skip(tag & 7);
      }
    }
    return out;
  }

  private DecodedSeries series(byte[] buf, int start, int end, long[] key) throws InvalidWriteException {
    ProtoReader r = new ProtoReader(buf, start, end);
    int labelsStart = -1;
    int labelsEnd = -1;
    boolean contiguous = true;
    int samples = 0;
    int histograms = 0;
    while (r.hasMore()) {
      int fieldStart = r.position();
      int tag = r.readTag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int fieldEnd = r.readLengthDelimitedEnd();
        if (labelsStart < 0) {
          labelsStart = fieldStart;
        } else if (labelsEnd != fieldStart) {
          contiguous = false;
        }
        labelsEnd = fieldEnd;
        r.seek(fieldEnd);
      } else {
        if (tag == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
          samples++;
        } else if (tag == (4 << 3 | ProtoReader.LENGTH_DELIMITED)) {
          histograms++;
        }
        r.skip(tag & 7);
      }
    }
    long[] ts = new long[samples];
    double[] vs = new double[samples];
    readSamples(buf, start, end, ts, vs);
    if (labelsStart < 0) {
      return DecodedSeries.invalid("invalid metric name or labels: missing metric name (__name__ label)", ts, vs);
    }
    byte[] keyBytes = buf;
    int keyOff = labelsStart;
    int keyLen = labelsEnd - labelsStart;
    if (!contiguous) {
      keyBytes = labelFieldBytes(buf, start, end);
      keyOff = 0;
      keyLen = keyBytes.length;
    }
    SeriesRefCache.hash(keyBytes, keyOff, keyLen, key);
    long key1 = key[0];
    long key2 = key[1];
    long ref = cache.get(key1, key2);
    DecodedSeries s;
    if (ref != 0) {
      s = DecodedSeries.byRef(ref, () -> labels(buf, start, end), key1, key2, ts, vs);
    } else {
      try {
        s = DecodedSeries.cacheable(labels(buf, start, end), key1, key2, ts, vs);
      } catch (InvalidLabelsException e) {
        s = DecodedSeries.invalid(e.getMessage(), ts, vs);
      }
    }
    return histograms == 0 ? s : s.withHistograms(readHistograms(buf, start, end, histograms));
  }

  private static HistogramDecoder.Sample[] readHistograms(byte[] buf, int start, int end, int n)
      throws InvalidWriteException {
    HistogramDecoder.Sample[] out = new HistogramDecoder.Sample[n];
    ProtoReader r = new ProtoReader(buf, start, end);
    int i = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag != (4 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        r.skip(tag & 7);
        continue;
      }
      int hEnd = r.readLengthDelimitedEnd();
      out[i++] = HistogramDecoder.decode(buf, r.position(), hEnd);
      r.seek(hEnd);
    }
    return out;
  }

  private static void readSamples(byte[] buf, int start, int end, long[] ts, double[] vs)
      throws InvalidWriteException {
    ProtoReader r = new ProtoReader(buf, start, end);
    int n = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag != (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        r.skip(tag & 7);
        continue;
      }
      int sampleEnd = r.readLengthDelimitedEnd();
      ProtoReader s = new ProtoReader(buf, r.position(), sampleEnd);
      double v = 0;
      long t = 0;
      while (s.hasMore()) {
        int st = s.readTag();
        if (st == (1 << 3 | ProtoReader.FIXED64)) {
          v = Double.longBitsToDouble(s.readFixed64());
        } else if (st == (2 << 3 | ProtoReader.VARINT)) {
          t = s.readVarint();
        } else {
          s.skip(st & 7);
        }
      }
      ts[n] = t;
      vs[n] = v;
      n++;
      r.seek(sampleEnd);
    }
  }

  /** The label fields of a series, concatenated in order (for series that interleave fields). */
  private static byte[] labelFieldBytes(byte[] buf, int start, int end) throws InvalidWriteException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ProtoReader r = new ProtoReader(buf, start, end);
    while (r.hasMore()) {
      int fieldStart = r.position();
      int tag = r.readTag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int fieldEnd = r.readLengthDelimitedEnd();
        out.write(buf, fieldStart, fieldEnd - fieldStart);
        r.seek(fieldEnd);
      } else {
        r.skip(tag & 7);
      }
    }
    return out.toByteArray();
  }

  /** Decodes and validates the labels of the series message at [start, end). */
  private static Labels labels(byte[] buf, int start, int end) throws InvalidWriteException {
    List<String> pairs = new ArrayList<>();
    ProtoReader r = new ProtoReader(buf, start, end);
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag != (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        r.skip(tag & 7);
        continue;
      }
      int labelEnd = r.readLengthDelimitedEnd();
      ProtoReader l = new ProtoReader(buf, r.position(), labelEnd);
      String name = "";
      String value = "";
      while (l.hasMore()) {
        int lt = l.readTag();
        if (lt == (1 << 3 | ProtoReader.LENGTH_DELIMITED) || lt == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
          int sEnd = l.readLengthDelimitedEnd();
          String s = utf8(buf, l.position(), sEnd - l.position());
          if (lt >>> 3 == 1) {
            name = s;
          } else {
            value = s;
          }
          l.seek(sEnd);
        } else {
          l.skip(lt & 7);
        }
      }
      pairs.add(name);
      pairs.add(value);
      r.seek(labelEnd);
    }
    return LabelValidation.validate(pairs.toArray(new String[0]));
  }

  private static String utf8(byte[] buf, int off, int len) throws InvalidWriteException {
    boolean ascii = true;
    for (int i = off; i < off + len; i++) {
      if (buf[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(buf, off, len, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buf, off, len)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidLabelsException("invalid metric name or labels: a label is not valid UTF-8");
    }
  }
}
