package dev.kiln.server.remotewrite;

/**
 * Reads the protobuf wire format from a byte array, bounds-checked: varints, fixed64 values,
 * length-delimited fields and skipping of unknown fields. Every malformation is an
 * {@link InvalidWriteException}, so a broken body is rejected before anything is written.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final byte[] buf;
  private int pos;
  private int limit;

  ProtoReader(byte[] buf, int pos, int limit) {
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  /** The next tag (field number shifted left by 3, or'ed with the wire type). */
  int readTag() throws InvalidWriteException {
    long tag = readVarint();
    if (tag <= 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
      throw malformed("invalid tag " + tag);
    }
    return (int) tag;
  }

  long readVarint() throws InvalidWriteException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw malformed("truncated varint");
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw malformed("varint too long");
  }

  long readFixed64() throws InvalidWriteException {
    if (limit - pos < 8) {
      throw malformed("truncated fixed64");
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (buf[pos + i] & 0xffL);
    }
    pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the field's bytes, which start at {@link #position()}. */
  int readLengthDelimitedEnd() throws InvalidWriteException {
    long len = readVarint();
    if (len < 0 || len > limit - pos) {
      throw malformed("length " + len + " beyond the end of the message");
    }
    return pos + (int) len;
  }

  /** Moves to {@code offset} (the end of a length-delimited field that was read by hand). */
  void seek(int offset) {
    pos = offset;
  }

  void skip(int wireType) throws InvalidWriteException {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> readFixed64();
      case LENGTH_DELIMITED -> pos = readLengthDelimitedEnd();
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw malformed("truncated fixed32");
        }
        pos += 4;
      }
      default -> throw malformed("unsupported wire type " + wireType);
    }
  }

  static InvalidWriteException malformed(String detail) {
    return new InvalidWriteException("proto unmarshal error: " + detail);
  }
}
