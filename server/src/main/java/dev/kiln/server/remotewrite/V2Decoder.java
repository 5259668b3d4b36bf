package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;

import java.util.Arrays;

/**
 * Decodes a remote write 2.0 {@code io.prometheus.write.v2.Request} in place from the
 * decompressed body into a {@link DecodedBatch}. The symbol table is read as offsets into the
 * body (checked to be UTF-8, as protobuf requires of strings) and no symbol becomes a String
 * unless it belongs to a series the {@link SeriesRefCache} does not know: a series' label
 * references are resolved into its cache key, its label fields in the 1.0 encoding, written to
 * the {@link KeyScratch}. Samples (2), native histograms (3) and exemplars (4) are kept;
 * metadata (5) is read for well-formedness and otherwise skipped. The rules of the request
 * ({@code symbols[0]} empty, an even number of label references, each in range, not both samples
 * and histograms) are checked after the whole body has been read, so a malformed body is
 * reported as such first. Reuses its state between requests; not thread-safe.
 */
final class V2Decoder {
  private final SeriesResolver resolver;
  private final WireReader r = new WireReader();
  private int symbols;
  private int[] symbolOffset = new int[1024];
  private int[] symbolLength = new int[1024];
  private int seriesCount;
  private int[] seriesStart = new int[256];
  private int[] seriesEnd = new int[256];
  private int refCount;
  private int[] refs = new int[64];

  V2Decoder(SeriesRefCache cache) {
    this.resolver = new SeriesResolver(cache);
  }

  /** Decodes the first {@code length} bytes of {@code body} into {@code out} (cleared first), writing keys to {@code keys}. */
  void decode(byte[] body, int length, DecodedBatch out, KeyScratch keys) throws InvalidWriteException {
    out.clear();
    keys.clear();
    symbols = 0;
    seriesCount = 0;
    r.reset(body, 0, length);
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (4 << 3 | WireReader.LENGTH_DELIMITED)) {
        int end = r.readLengthDelimitedEnd();
        int off = r.position();
        if (!Utf8.isValid(body, off, end - off)) {
          throw WireReader.malformed("symbol " + symbols + " is not valid UTF-8");
        }
        addSymbol(off, end - off);
        r.seek(end);
      } else if (tag == (5 << 3 | WireReader.LENGTH_DELIMITED)) {
        int end = r.readLengthDelimitedEnd();
        addSeries(r.position(), end);
        r.seek(end);
      } else {
        r.skipField(tag);
      }
    }
    String broken = symbols > 0 && symbolLength[0] != 0 ? "invalid request: symbols[0] must be the empty string" : null;
    for (int s = 0; s < seriesCount; s++) {
      String e = series(body, seriesStart[s], seriesEnd[s], out, keys, broken == null);
      if (broken == null) {
        broken = e;
      }
    }
    if (broken != null) {
      throw new InvalidWriteException(broken);
    }
    resolver.resolveAll(out);
  }

  /**
   * Decodes one series; returns what breaks the request's rules in it, or null. With {@code
   * resolve} false (the request is already known to be broken) only its well-formedness is checked.
   */
  private String series(byte[] body, int start, int end, DecodedBatch out, KeyScratch keys, boolean resolve)
      throws InvalidWriteException {
    r.reset(body, start, end);
    refCount = 0;
    exemplarError = null;
    int i = out.startSeries();
    while (r.hasMore()) {
      int tag = r.readTag();
      switch (tag) {
        case 1 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          while (r.hasMore()) {
            addRef((int) r.readVarint());
          }
          r.leave(outer);
        }
        case 1 << 3 | WireReader.VARINT -> addRef((int) r.readVarint());
        case 2 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          SampleMessage.read(r, out);
          r.leave(outer);
        }
        case 3 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          out.addHistogram(HistogramDecoder.decode(r));
          r.leave(outer);
        }
        case 4 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          String bad = exemplar(body, out);
          if (bad != null && exemplarError == null) {
            exemplarError = bad;
          }
          r.leave(outer);
        }
        case 5 << 3 | WireReader.LENGTH_DELIMITED -> {
          int outer = r.enter();
          refsAndScalars();
          r.leave(outer);
        }
        default -> r.skipField(tag);
      }
    }
    out.endSeries(i);
    if (refCount % 2 != 0) {
      return "invalid request: odd number of labels_refs";
    }
    if (exemplarError != null) {
      return exemplarError;
    }
    for (int k = 0; k < refCount; k++) {
      if (refs[k] < 0 || refs[k] >= symbols) {
        return "invalid request: symbol reference " + refs[k] + " out of range (" + symbols + " symbols)";
      }
    }
    if (out.sampleCount[i] > 0 && out.histogramCount[i] > 0) {
      return "invalid request: a series carries both samples and histograms";
    }
    if (resolve) {
      resolve(body, i, out, keys);
    }
    return null;
  }

  /** Writes the series' label fields from its symbols as its key. */
  private void resolve(byte[] body, int i, DecodedBatch out, KeyScratch keys) throws InvalidWriteException {
    int max = 0;
    for (int k = 0; k < refCount; k += 2) {
      max += 3 + 3 * 5 + symbolLength[refs[k]] + symbolLength[refs[k + 1]];
    }
    byte[] keyBuf = keys.reserve(max);
    int keyOff = keys.position();
    for (int k = 0; k < refCount; k += 2) {
      int n = refs[k];
      int v = refs[k + 1];
      int nl = symbolLength[n];
      int vl = symbolLength[v];
      keys.put(1 << 3 | WireReader.LENGTH_DELIMITED);
      keys.putVarint(2 + KeyScratch.varintSize(nl) + nl + KeyScratch.varintSize(vl) + vl);
      keys.put(1 << 3 | WireReader.LENGTH_DELIMITED);
      keys.putVarint(nl);
      keys.put(body, symbolOffset[n], nl);
      keys.put(2 << 3 | WireReader.LENGTH_DELIMITED);
      keys.putVarint(vl);
      keys.put(body, symbolOffset[v], vl);
    }
    int keyLen = keys.position() - keyOff;
    if (refCount == 0) {
      out.invalid[i] = V1Decoder.MISSING_NAME;
      return;
    }
    resolver.key(out, i, keyBuf, keyOff, keyLen);
  }

  /** What breaks the request's rules in the series' exemplars, or null. */
  private String exemplarError;

  /**
   * Reads an exemplar (label references in field 1, value 2, timestamp 3) and adds it to
   * {@code out}; returns what breaks the request's rules in it (a reference out of range, an odd
   * number of references), or null.
   */
  private String exemplar(byte[] body, DecodedBatch out) throws InvalidWriteException {
    Labels.Builder labels = Labels.builder();
    double v = 0;
    long t = 0;
    String bad = null;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        int outer = r.enter();
        long name = -1;
        while (r.hasMore()) {
          long ref = r.readVarint();
          if (ref < 0 || ref >= symbols) {
            bad = "invalid request: symbol reference " + ref + " out of range (" + symbols + " symbols)";
            name = -1;
            continue;
          }
          if (name < 0) {
            name = ref;
          } else {
            String n = symbol(body, (int) name);
            if (!n.isEmpty()) {
              labels.set(n, symbol(body, (int) ref));
            }
            name = -1;
          }
        }
        if (name >= 0 && bad == null) {
          bad = "invalid request: odd number of labels_refs in an exemplar";
        }
        r.leave(outer);
      } else if (tag == (2 << 3 | WireReader.FIXED64)) {
        v = r.readDouble();
      } else if (tag == (3 << 3 | WireReader.VARINT)) {
        t = r.readVarint();
      } else {
        r.skipField(tag);
      }
    }
    out.addExemplar(new dev.kiln.tsdb.storage.Exemplar(labels.build(), v, t, t != 0));
    return bad;
  }

  private String symbol(byte[] body, int i) {
    return new String(body, symbolOffset[i], symbolLength[i], java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Reads a metadata message: packed references in field 1, scalar fields otherwise. */
  private void refsAndScalars() throws InvalidWriteException {
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        int outer = r.enter();
        while (r.hasMore()) {
          r.readVarint();
        }
        r.leave(outer);
      } else {
        r.skipField(tag);
      }
    }
  }

  private void addSymbol(int off, int len) {
    if (symbols == symbolOffset.length) {
      symbolOffset = Arrays.copyOf(symbolOffset, symbols * 2);
      symbolLength = Arrays.copyOf(symbolLength, symbols * 2);
    }
    symbolOffset[symbols] = off;
    symbolLength[symbols] = len;
    symbols++;
  }

  private void addSeries(int start, int end) {
    if (seriesCount == seriesStart.length) {
      seriesStart = Arrays.copyOf(seriesStart, seriesCount * 2);
      seriesEnd = Arrays.copyOf(seriesEnd, seriesCount * 2);
    }
    seriesStart[seriesCount] = start;
    seriesEnd[seriesCount] = end;
    seriesCount++;
  }

  private void addRef(int ref) {
    if (refCount == refs.length) {
      refs = Arrays.copyOf(refs, refCount * 2);
    }
    refs[refCount++] = ref;
  }
}
