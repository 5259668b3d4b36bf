package dev.kiln.server.remotewrite;

/**
 * Where the cache keys of one request are written when they are not a contiguous run of the
 * body (2.0 series, whose label fields are written from their symbols, and 1.0 series whose
 * label fields are interleaved with other fields). An array reused between requests; a key
 * never spans two arrays, and keys written earlier in a request stay valid when a bigger array
 * is started. Not thread-safe.
 */
final class KeyScratch {
  private byte[] buf = new byte[1 << 16];
  private int pos;

  /** Forgets the keys of the previous request. */
  void clear() {
    pos = 0;
  }

  /** Lets go of a buffer a large request made grow beyond {@link BodyDecompressor#RETAINED_BYTES}. */
  void trim() {
    if (buf.length > BodyDecompressor.RETAINED_BYTES) {
      buf = new byte[1 << 16];
    }
    pos = 0;
  }

  /** Makes room for a key of at most {@code n} bytes; returns the buffer it will be written to. */
  byte[] reserve(int n) {
    if (pos + n > buf.length) {
      buf = new byte[Math.max(n, buf.length * 2)];
      pos = 0;
    }
    return buf;
  }

  byte[] buffer() {
    return buf;
  }

  int position() {
    return pos;
  }

  void put(int b) {
    buf[pos++] = (byte) b;
  }

  void putVarint(long v) {
    while ((v & ~0x7fL) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** Copies {@code len} bytes at index {@code off} of {@code src}. */
  void put(byte[] src, int off, int len) {
    System.arraycopy(src, off, buf, pos, len);
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
