package dev.kiln.tsdb.wal;

/**
 * Decodes Snappy's block format (not the framed stream format), which Prometheus uses for
 * compressed WAL records: a uvarint uncompressed length, then literals and back-references.
 * Stateless; malformed input throws {@link IllegalArgumentException}.
 */
final class SnappyBlock {
  private SnappyBlock() {}

  static byte[] decompress(byte[] in, int off, int len) {
    int end = off + len;
    int p = off;
    long n = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= end || shift > 28) {
        throw new IllegalArgumentException("snappy: bad length preamble");
      }
      int b = in[p++] & 0xff;
      n |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
    }
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("snappy: length " + n + " too large");
    }
    byte[] out = new byte[(int) n];
    int o = 0;
    while (p < end) {
      int tag = in[p++] & 0xff;
      switch (tag & 3) {
        case 0 -> {
          int l = tag >>> 2;
          if (l >= 60) {
            int bytes = l - 59;
            if (p + bytes > end) {
              throw new IllegalArgumentException("snappy: literal length cut off");
            }
            l = 0;
            for (int i = 0; i < bytes; i++) {
              l |= (in[p++] & 0xff) << (8 * i);
            }
            if (l < 0) {
              throw new IllegalArgumentException("snappy: literal too long");
            }
          }
          l += 1;
          if (p + l > end || o + l > out.length) {
            throw new IllegalArgumentException("snappy: literal overruns");
          }
          System.arraycopy(in, p, out, o, l);
          p += l;
          o += l;
        }
        case 1 -> {
          if (p >= end) {
            throw new IllegalArgumentException("snappy: copy cut off");
          }
          int l = 4 + ((tag >>> 2) & 7);
          int offset = ((tag & 0xe0) << 3) | (in[p++] & 0xff);
          o = copy(out, o, offset, l);
        }
        case 2 -> {
          if (p + 2 > end) {
            throw new IllegalArgumentException("snappy: copy cut off");
          }
          int l = 1 + (tag >>> 2);
          int offset = (in[p] & 0xff) | ((in[p + 1] & 0xff) << 8);
          p += 2;
          o = copy(out, o, offset, l);
        }
        default -> {
          if (p + 4 > end) {
            throw new IllegalArgumentException("snappy: copy cut off");
          }
          int l = 1 + (tag >>> 2);
          int offset =
              (in[p] & 0xff) | ((in[p + 1] & 0xff) << 8) | ((in[p + 2] & 0xff) << 16) | ((in[p + 3] & 0xff) << 24);
          p += 4;
          o = copy(out, o, offset, l);
        }
      }
    }
    if (o != out.length) {
      throw new IllegalArgumentException("snappy: decoded " + o + " bytes, expected " + out.length);
    }
    return out;
  }

  private static int copy(byte[] out, int o, int offset, int l) {
    if (offset <= 0 || offset > o || o + l > out.length) {
      throw new IllegalArgumentException("snappy: bad copy offset " + offset + " at " + o);
    }
    int from = o - offset;
    for (int i = 0; i < l; i++) {
      out[o + i] = out[from + i];
    }
    return o + l;
  }
}
