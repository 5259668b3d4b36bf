package dev.kiln.server.remotewrite;

/** Reads a Sample message (value in field 1, millisecond timestamp in field 2), the same in 1.0 and 2.0. */
final class SampleMessage {
  private SampleMessage() {}

  /** Reads the sample the reader is positioned in up to its limit and adds it to {@code out}. */
  static void read(WireReader r, DecodedBatch out) throws InvalidWriteException {
    double v = 0;
    long t = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.FIXED64)) {
        v = r.readDouble();
      } else if (tag == (2 << 3 | WireReader.VARINT)) {
        t = r.readVarint();
      } else {
        r.skipField(tag);
      }
    }
    out.addSample(t, v);
  }
}
