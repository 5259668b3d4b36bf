package dev.kiln.server.remotewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xerial.snappy.Snappy;

/**
 * Decompresses a snappy block-format body into a reused array. The server lends the body as a
 * (direct) buffer; it is copied once into a reused input array unless it already is one, since
 * snappy-java's array API into a heap array measured cheaper for the decoders that follow than its
 * {@link ByteBuffer} API into a direct buffer (docs/benchmarks.md). The declared decoded length is
 * checked before any memory is reserved: larger than the configured cap, or larger than snappy
 * could produce from the body (22 bytes per compressed byte is beyond its longest copy element),
 * is an error. Arrays that grew beyond {@link #RETAINED_BYTES} for one large request are let go
 * afterwards. Not thread-safe.
 */
final class BodyDecompressor {
  /** Go's snappy error text for a body that is not snappy block format, which Prometheus answers with. */
  static final String CORRUPT = "snappy: corrupt input";

  /** Arrays up to this size are kept for the next request. */
  static final int RETAINED_BYTES = 8 << 20;
  private static final int INITIAL_BYTES = 1 << 18;
  private static final long MAX_EXPANSION = 22;

  private final int maxDecodedBytes;
  private byte[] input = new byte[1 << 16];
  private byte[] output = new byte[INITIAL_BYTES];

  BodyDecompressor(int maxDecodedBytes) {
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /**
   * Decompresses the body's remaining bytes into {@link #output()}; returns the decoded length.
   *
   * @throws IOException when the body is not snappy block format or decodes to too many bytes
   */
  int decompress(ByteBuffer body) throws IOException {
    byte[] in;
    int off;
    int len = body.remaining();
    if (body.hasArray()) {
      in = body.array();
      off = body.arrayOffset() + body.position();
    } else {
      if (input.length < len) {
        input = new byte[Math.max(len, Math.min(2 * input.length, RETAINED_BYTES))];
      }
      body.get(body.position(), input, 0, len);
      in = input;
      off = 0;
    }
    int n;
    try {
      n = Snappy.uncompressedLength(in, off, len);
    } catch (IOException | RuntimeException | org.xerial.snappy.SnappyError e) {
      throw new IOException(CORRUPT, e);
    }
    if (n < 0 || n > maxDecodedBytes) {
      throw new IOException("snappy: decoded length " + Integer.toUnsignedString(n) + " exceeds the limit of " + maxDecodedBytes + " bytes");
    }
    if (n > MAX_EXPANSION * len) {
      // More than snappy can produce from this many bytes: the body cannot decode, as Go's snappy finds.
      throw new IOException(CORRUPT);
    }
    if (output.length < n) {
      output = new byte[Math.max(n, Math.min(2 * output.length, maxDecodedBytes))];
    }
    try {
      return Snappy.uncompress(in, off, len, output, 0);
    } catch (IOException | RuntimeException | org.xerial.snappy.SnappyError e) {
      throw new IOException(CORRUPT, e);
    }
  }

  /** The array the last body was decompressed into; valid until the next call. */
  byte[] output() {
    return output;
  }

  /** Lets go of arrays a large request made grow beyond {@link #RETAINED_BYTES}. */
  void trim() {
    if (output.length > RETAINED_BYTES) {
      output = new byte[INITIAL_BYTES];
    }
    if (input.length > RETAINED_BYTES) {
      input = new byte[1 << 16];
    }
  }
}
