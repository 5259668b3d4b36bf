package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The labels of a series from its label fields in the 1.0 wire encoding (a sequence of {@code
 * TimeSeries.labels} fields, each a {@code Label} message), which is also the key of the {@link
 * SeriesRefCache}: decoded into Strings and validated ({@link LabelValidation}) only for a series
 * the cache does not know. Invalid UTF-8 makes the series invalid ({@link
 * InvalidLabelsException}). Reuses its arrays between calls; not thread-safe.
 */
final class LabelFields {
  private final WireReader r = new WireReader();
  private String[] pairs = new String[32];
  private final String[] pair = new String[2];

  /** Decodes and validates the label fields in the {@code len} bytes at index {@code off}. */
  Labels decode(byte[] buf, int off, int len) throws InvalidWriteException {
    r.reset(buf, off, off + len);
    int n = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag != (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        r.skipField(tag);
        continue;
      }
      LabelMessage.read(r, LabelFields::string, pair);
      if (n + 2 > pairs.length) {
        pairs = Arrays.copyOf(pairs, pairs.length * 2);
      }
      pairs[n++] = pair[0];
      pairs[n++] = pair[1];
    }
    String[] sent = Arrays.copyOf(pairs, n);
    Arrays.fill(pairs, 0, n, null);
    return LabelValidation.validate(sent);
  }

  private static String string(byte[] buf, int off, int len) throws InvalidLabelsException {
    if (len == 0) {
      return "";
    }
    if (Utf8.isAscii(buf, off, len)) {
      return new String(buf, off, len, StandardCharsets.ISO_8859_1);
    }
    if (!Utf8.isValid(buf, off, len)) {
      throw new InvalidLabelsException("invalid metric name or labels: a label is not valid UTF-8");
    }
    return new String(buf, off, len, StandardCharsets.UTF_8);
  }
}
