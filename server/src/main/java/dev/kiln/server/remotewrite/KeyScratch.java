package dev.kiln.server.remotewrite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where the cache keys of one request are written when they are not a contiguous run of the
 * body (2.0 series, whose label fields are written from their symbols, and 1.0 series whose
 * label fields are interleaved with other fields). A direct buffer reused between requests; a
 * key never spans two buffers, and keys written earlier in a request stay valid when a bigger
 * buffer is started. Not thread-safe.
 */
final class KeyScratch {
  private ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private int pos;

  /** Forgets the keys of the previous request. */
  void clear() {
    pos = 0;
  }

  /** Lets go of a buffer a large request made grow beyond {@link BodyDecompressor#RETAINED_BYTES}. */
  void trim() {
    if (buf.capacity() > BodyDecompressor.RETAINED_BYTES) {
      buf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    }
    pos = 0;
  }

  /** Makes room for a key of at most {@code n} bytes; returns the buffer it will be written to. */
  ByteBuffer reserve(int n) {
    if (pos + n > buf.capacity()) {
      buf = ByteBuffer.allocateDirect(Math.max(n, buf.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
      pos = 0;
    }
    return buf;
  }

  ByteBuffer buffer() {
    return buf;
  }

  int position() {
    return pos;
  }

  void put(int b) {
    buf.put(pos++, (byte) b);
  }

  void putVarint(long v) {
    while ((v & ~0x7fL) != 0) {
      buf.put(pos++, (byte) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    buf.put(pos++, (byte) v);
  }

  /** Copies {@code len} bytes at absolute index {@code off} of {@code src}. */
  void put(ByteBuffer src, int off, int len) {
    buf.put(pos, src, off, len);
    pos += len;
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7fL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
