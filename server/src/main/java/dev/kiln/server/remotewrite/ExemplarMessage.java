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
    double v = 0;
    long t = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED)) {
        int outer = r.enter();
        String name = "";
        String value = "";
        while (r.hasMore()) {
          int lt = r.readTag();
          if (lt == (1 << 3 | WireReader.LENGTH_DELIMITED) || lt == (2 << 3 | WireReader.LENGTH_DELIMITED)) {
            int end = r.readLengthDelimitedEnd();
            int off = r.position();
            String s = new String(r.buffer(), off, end - off, StandardCharsets.UTF_8);
            if (lt >>> 3 == 1) {
              name = s;
            } else {
              value = s;
            }
            r.seek(end);
          } else {
            r.skipField(lt);
          }
        }
        r.leave(outer);
        if (!name.isEmpty()) {
          labels.set(name, value);
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
