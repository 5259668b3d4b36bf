package dev.kiln.scraper.parse;

import java.nio.charset.StandardCharsets;

/**
 * Reads protobuf wire format from {@code buf[pos, limit)}: varints, fixed 64-bit values,
 * length-delimited fields. Not thread-safe; one reader per message being decoded.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  private final byte[] buf;
  int pos;
  int limit;

  ProtoReader(byte[] buf, int pos, int limit) {
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
  }

  boolean more() {
    return pos < limit;
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw new ExpositionException("protobuf: unexpected end of message");
      }
      byte b = buf[pos++];
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new ExpositionException("protobuf: varint overflow");
  }

  static long zigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  double fixed64() {
    if (limit - pos < 8) {
      throw new ExpositionException("protobuf: unexpected end of message");
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (buf[pos + i] & 0xffL);
    }
    pos += 8;
    return Double.longBitsToDouble(v);
  }

  /** Reads a length prefix and returns the end of the field's bytes; {@link #pos} is at their start. */
  int lengthDelimited() {
    long n = varint();
    if (n < 0 || n > limit - pos) {
      throw new ExpositionException("protobuf: length " + n + " exceeds the message");
    }
    return pos + (int) n;
  }

  String string() {
    int end = lengthDelimited();
    String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
    pos = end;
    return s;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> varint();
      case FIXED64 -> fixed64();
      case LEN -> pos = lengthDelimited();
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw new ExpositionException("protobuf: unexpected end of message");
        }
        pos += 4;
      }
      default -> throw new ExpositionException("protobuf: unsupported wire type " + wireType);
    }
  }

  /** A reader of the nested message starting at {@link #pos}; this reader moves past it. */
  ProtoReader message() {
    int end = lengthDelimited();
    ProtoReader r = new ProtoReader(buf, pos, end);
    pos = end;
    return r;
  }
}
