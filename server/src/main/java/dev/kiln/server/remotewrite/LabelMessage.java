package dev.kiln.server.remotewrite;

/**
 * Reads one {@code Label} message of the 1.0 wire encoding (name in field 1, value in field 2,
 * other fields skipped), turning each field's bytes into a String by the caller's rule: series
 * labels are validated as UTF-8, exemplar labels are not. Stateless.
 */
final class LabelMessage {
  /** Turns {@code len} bytes at {@code off} into a String, or refuses them. */
  interface Text {
    String of(byte[] buf, int off, int len) throws InvalidWriteException;
  }

  private LabelMessage() {}

  /**
   * Reads the message the reader is positioned at (its tag read) into {@code pair[0]} (name) and
   * {@code pair[1]} (value), each {@code ""} when absent, and leaves the reader after it.
   */
  static void read(WireReader r, Text text, String[] pair) throws InvalidWriteException {
    int outer = r.enter();
    String name = "";
    String value = "";
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == (1 << 3 | WireReader.LENGTH_DELIMITED) || tag == (2 << 3 | WireReader.LENGTH_DELIMITED)) {
        int end = r.readLengthDelimitedEnd();
        String s = text.of(r.buffer(), r.position(), end - r.position());
        if (tag >>> 3 == 1) {
          name = s;
        } else {
          value = s;
        }
        r.seek(end);
      } else {
        r.skipField(tag);
      }
    }
    r.leave(outer);
    pair[0] = name;
    pair[1] = value;
  }
}
