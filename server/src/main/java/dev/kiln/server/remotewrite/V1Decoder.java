package dev.kiln.server.remotewrite;


/**
 * Decodes a remote write 1.0 {@code prometheus.WriteRequest} in place from the decompressed body
 * into a {@link DecodedBatch}: time series (field 1) with their labels (1), samples (2) and
 * native histograms (4, by {@link HistogramDecoder}) and exemplars (3, by {@link ExemplarMessage});
 * metadata (request field 3) and unknown fields are skipped. A series' label fields are its cache key: a series the {@link
 * SeriesRefCache} knows is returned by reference without decoding a label; any other series has
 * its labels decoded and validated ({@link LabelFields}; a series with invalid labels, including
 * invalid UTF-8, is marked to be skipped, as Prometheus 3.x skips it). The whole body is decoded
 * before anything is appended, so malformed input changes nothing. Reuses its state between
 * requests; not thread-safe.
 */
final class V1Decoder {
  static final String MISSING_NAME = "invalid metric name or labels: missing metric name (__name__ label)";

  private final SeriesResolver resolver;
  private final WireReader r = new WireReader();
  private final WireReader scan = new WireReader();

  V1Decoder(SeriesRefCache cache) {
    this.resolver = new SeriesResolver(cache);
  }

  /** Decodes the first {@code length} bytes of {@code body} into {@code out} (cleared first); keys go to {@code keys} when needed. */
  void decode(byte[] body, int length, DecodedBatch out, KeyScratch keys) throws InvalidWriteException {
    out.clear();
    keys.clear();
    r.reset(body, 0, length);
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        int outer = r.enter();
        series(body, out, keys);
        r.leave(outer);
      } else {
        r.skipField(tag);
      }
    }
    resolver.resolveAll(out);
  }

  private void series(byte[] body, DecodedBatch out, KeyScratch keys) throws InvalidWriteException {
    int start = r.position();
    int i = out.startSeries();
    int labelsStart = -1;
    int labelsEnd = -1;
    boolean contiguous = true;
    while (r.hasMore()) {
      int fieldStart = r.position();
      int tag = r.readTag();
      switch (tag) {
        case 1 << 3 | WireReader.LENGTH_DELIMITED -> {
          int end = r.readLengthDelimitedEnd();
          if (labelsStart < 0) {
            labelsStart = fieldStart;
          } else if (labelsEnd != fieldStart) {
            contiguous = false;
          }
          labelsEnd = end;
          r.seek(end);
        }
        case 2 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          SampleMessage.read(r, out);
          r.leave(outer);
        }
        case 4 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          out.addHistogram(HistogramDecoder.decode(r));
          r.leave(outer);
        }
        case 3 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          out.addExemplar(ExemplarMessage.readV1(r));
          r.leave(outer);
        }
        default -> r.skipField(tag);
      }
    }
    out.endSeries(i);
    if (labelsStart < 0) {
      out.invalid[i] = MISSING_NAME;
      return;
    }
    byte[] keyBuf = body;
    int keyOff = labelsStart;
    int keyLen = labelsEnd - labelsStart;
    if (!contiguous) {
      keyBuf = keys.reserve(keyLen);
      keyOff = keys.position();
      copyLabelFields(body, start, r.limit(), keys);
      keyLen = keys.position() - keyOff;
    }
    resolver.key(out, i, keyBuf, keyOff, keyLen);
  }

  /** Copies the label fields of the series at [start, end) of {@code body}, in order, into {@code keys}. */
  private void copyLabelFields(byte[] body, int start, int end, KeyScratch keys) throws InvalidWriteException {
    scan.reset(body, start, end);
    while (scan.hasMore()) {
      int fieldStart = scan.position();
      int tag = scan.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        int fieldEnd = scan.readLengthDelimitedEnd();
        keys.put(body, fieldStart, fieldEnd - fieldStart);
        scan.seek(fieldEnd);
      } else {
        scan.skipField(tag);
      }
    }
  }
}
