package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import java.nio.charset.StandardCharsets;

/**
 * Reads an Exemplar message: 1.0 has its labels as Label messages in field 1, 2.0 as packed
 * symbol references; both have the value in field 2 and the millisecond timestamp in field 3. A
 * timestamp of 0 means none, as Prometheus's {@code exemplarProtoToExemplar} reads it.
 */
final class ExemplarMessage {
  private ExemplarMessage() {}

  /** A 1.0 exemplar, the reader positioned in it up to its limit. */
  static Exemplar readV1(WireReader r) throws InvalidWriteException {
    Labels.Builder labels = Labels.builder();
    String[] pair = new String[2];
    double v = 0;
    long t = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        LabelMessage.read(r, (b, off, len) -> new String(b, off, len, StandardCharsets.UTF_8), pair);
        if (!pair[0].isEmpty()) {
          labels.set(pair[0], pair[1]);
        }
      } else if (tag == (2 << 3 | WireReader.FIXED64)) {
        v = r.readDouble();
      } else if (tag == (3 << 3 | WireReader.VARINT)) {
        t = r.readVarint();
      } else {
        r.skipField(tag);
      }
    }
    return new Exemplar(labels.build(), v, t, t != 0);
  }
}
