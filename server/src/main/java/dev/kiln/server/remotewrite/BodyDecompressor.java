package dev.kiln.server.remotewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.xerial.snappy.Snappy;

/**
 * Decompresses a snappy block-format body with snappy-java's {@link ByteBuffer} API straight
 * from the server's direct body buffer into a reused direct buffer; a heap body (tests, callers
 * outside the HTTP server) is first copied into a reused direct input buffer. The declared
 * decoded length is checked before any memory is reserved: larger than the configured cap, or
 * larger than snappy could produce from the body (22 bytes per compressed byte is beyond its
 * longest copy element), is an error. Buffers that grew beyond {@link #RETAINED_BYTES} for one
 * large request are let go afterwards. Not thread-safe.
 */
final class BodyDecompressor {
  /** Buffers up to this size are kept for the next request. */
  static final int RETAINED_BYTES = 8 << 20;
  private static final int INITIAL_BYTES = 1 << 18;
  private static final long MAX_EXPANSION = 22;

  private final int maxDecodedBytes;
  private ByteBuffer input = ByteBuffer.allocateDirect(0);
  private ByteBuffer output = ByteBuffer.allocateDirect(INITIAL_BYTES).order(ByteOrder.LITTLE_ENDIAN);

  BodyDecompressor(int maxDecodedBytes) {
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /**
   * The decompressed body: a little-endian direct buffer, position 0, limit its length, valid
   * until the next call.
   *
   * @throws IOException when the body is not snappy block format or decodes to too many bytes
   */
  ByteBuffer decompress(ByteBuffer body) throws IOException {
    ByteBuffer in = body;
    if (!in.isDirect()) {
      if (input.capacity() < in.remaining()) {
        input = ByteBuffer.allocateDirect(Math.max(in.remaining(), Math.min(2 * input.capacity(), RETAINED_BYTES)));
      }
      input.clear();
      input.put(in.duplicate()).flip();
      in = input;
    }
    int n = Snappy.uncompressedLength(in);
    if (n < 0 || n > maxDecodedBytes) {
      throw new IOException("decoded length " + Integer.toUnsignedString(n) + " exceeds the limit of " + maxDecodedBytes + " bytes");
    }
    if (n > MAX_EXPANSION * in.remaining()) {
      throw new IOException("decoded length " + n + " declared in " + in.remaining() + " compressed bytes");
    }
    if (output.capacity() < n) {
      output = ByteBuffer.allocateDirect(Math.max(n, Math.min(2 * output.capacity(), maxDecodedBytes)))
          .order(ByteOrder.LITTLE_ENDIAN);
    }
    output.clear();
    int got = Snappy.uncompress(in, output);
    output.position(0).limit(got);
    return output;
  }

  /** Lets go of buffers a large request made grow beyond {@link #RETAINED_BYTES}. */
  void trim() {
    if (output.capacity() > RETAINED_BYTES) {
      output = ByteBuffer.allocateDirect(INITIAL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (input.capacity() > RETAINED_BYTES) {
      input = ByteBuffer.allocateDirect(0);
    }
  }
}
