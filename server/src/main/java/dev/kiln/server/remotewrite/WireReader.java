package dev.kiln.server.remotewrite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads the protobuf wire format in place from a byte array (the decompressed body),
 * bounds-checked, without allocating: varints, fixed64 values, length-delimited
 * fields entered and left like protobuf's {@code pushLimit}/{@code popLimit}, and skipping of
 * unknown fields of every wire type, groups included. Every malformation is an {@link
 * InvalidWriteException} naming it ({@code proto unmarshal error: ...}), so a broken body is
 * rejected before anything is written. One reader is reused for many messages; not thread-safe.
 */
final class WireReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] buf;
  private int pos;
  private int limit;

  /** Reads {@code buf} from {@code pos} up to {@code limit}. */
  WireReader reset(byte[] buf, int pos, int limit) {
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
    return this;
  }

  byte[] buffer() {
    return buf;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  int limit() {
    return limit;
  }

  /** The next tag (field number shifted left by 3, or'ed with the wire type). */
  int readTag() throws InvalidWriteException {
    int p = pos;
    if (p < limit) {
      byte b = buf[p];
      if (b >= 8) {
        pos = p + 1;
        return b;
      }
    }
    long tag = readVarint();
    if (tag <= 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
      throw malformed("invalid tag " + tag);
    }
    return (int) tag;
  }

  long readVarint() throws InvalidWriteException {
    int p = pos;
    if (limit - p >= 10) {
      long b = buf[p];
      if (b >= 0) {
        pos = p + 1;
        return b;
      }
      long result = b & 0x7f;
      for (int shift = 7; shift < 64; shift += 7) {
        b = buf[++p];
        result |= (b & 0x7f) << shift;
        if (b >= 0) {
          pos = p + 1;
          return result;
        }
      }
      throw malformed("varint too long");
    }
    return readVarintSlow();
  }

  private long readVarintSlow() throws InvalidWriteException {
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
    int p = pos;
    if (limit - p < 8) {
      throw malformed("truncated fixed64");
    }
    pos = p + 8;
    return (long) LONGS.get(buf, p);
  }

  double readDouble() throws InvalidWriteException {
    return Double.longBitsToDouble(readFixed64());
  }

  /** Reads a length prefix; returns the end index of the field's bytes, which start at {@link #position()}. */
  int readLengthDelimitedEnd() throws InvalidWriteException {
    long len = readVarint();
    if (len < 0 || len > limit - pos) {
      throw malformed("length " + len + " beyond the end of the message");
    }
    return pos + (int) len;
  }

  /**
   * Reads a length prefix and narrows the reader to the field's bytes; returns the limit to give
   * to {@link #leave} afterwards.
   */
  int enter() throws InvalidWriteException {
    int end = readLengthDelimitedEnd();
    int outer = limit;
    limit = end;
    return outer;
  }

  /** Moves past the entered field and restores the outer limit. */
  void leave(int outerLimit) {
    pos = limit;
    limit = outerLimit;
  }

  /** Moves to {@code offset} (the end of a length-delimited field that was read by hand). */
  void seek(int offset) {
    pos = offset;
  }

  /** Skips the value of a field with this tag. */
  void skipField(int tag) throws InvalidWriteException {
    switch (tag & 7) {
      case VARINT -> readVarint();
      case FIXED64 -> readFixed64();
      case LENGTH_DELIMITED -> pos = readLengthDelimitedEnd();
      case START_GROUP -> skipGroup(tag >>> 3, 0);
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw malformed("truncated fixed32");
        }
        pos += 4;
      }
      case END_GROUP -> throw malformed("unexpected end-group tag for field " + (tag >>> 3));
      default -> throw malformed("unsupported wire type " + (tag & 7));
    }
  }

  /** Skips a group's fields up to its end tag, nested groups included (at most 100 deep, as protobuf). */
  private void skipGroup(int field, int depth) throws InvalidWriteException {
    if (depth >= 100) {
      throw malformed("groups nested too deeply");
    }
    while (true) {
      if (!hasMore()) {
        throw malformed("unterminated group " + field);
      }
      int tag = readTag();
      if ((tag & 7) == END_GROUP) {
        if (tag >>> 3 != field) {
          throw malformed("end-group tag for field " + (tag >>> 3) + " inside group " + field);
        }
        return;
      }
      if ((tag & 7) == START_GROUP) {
        skipGroup(tag >>> 3, depth + 1);
      } else {
        skipField(tag);
      }
    }
  }

  static long zigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  static InvalidWriteException malformed(String detail) {
    return new InvalidWriteException("proto unmarshal error: " + detail);
  }
}
