package dev.kiln.tsdb.block;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a new file front to back through the {@link FileIo} seam with a 1 MiB buffer, tracking
 * the position. {@link #finish()} flushes, syncs and closes. Single-thread.
 */
final class SequentialFileWriter implements AutoCloseable {
  private static final byte[] ZEROS = new byte[64];
  private final FileIo io;
  private final Path path;
  private final FileChannel ch;
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
  private long pos;
  private boolean closed;

  SequentialFileWriter(FileIo io, Path path) throws IOException {
    this.io = io;
    this.path = path;
    this.ch = io.openForAppend(path);
  }

  long position() {
    return pos;
  }

  Path path() {
    return path;
  }

  void write(byte[] b, int off, int n) throws IOException {
    pos += n;
    while (n > 0) {
      if (!buf.hasRemaining()) {
        flush();
      }
      int k = Math.min(n, buf.remaining());
      buf.put(b, off, k);
      off += k;
      n -= k;
    }
  }

  void write(EncodeBuffer b) throws IOException {
    write(b.array(), 0, b.length());
  }

  /** Writes zero bytes until the position is a multiple of {@code alignment}. */
  void pad(int alignment) throws IOException {
    int n = (int) ((alignment - pos % alignment) % alignment);
    write(ZEROS, 0, n);
  }

  private void flush() throws IOException {
    buf.flip();
    io.write(ch, buf);
    buf.clear();
  }

  /** Flushes, fsyncs and closes. */
  void finish() throws IOException {
    flush();
    io.sync(ch);
    close();
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      io.close(ch);
    }
  }
}
