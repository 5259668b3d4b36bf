package dev.kiln.tsdb.block;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A read-only file mapped into memory as consecutive windows (1 GiB each by default), so files
 * larger than 2 GiB can be read with {@code long} offsets. Reads that span two windows are
 * stitched together. Thread-safe for reads (absolute gets only); {@link #close()} unmaps, after
 * which no read may happen: the owner must guarantee that (see {@link Block}'s reader count).
 *
 * <p>{@link #releaseResidentPages()} replaces the windows by fresh mappings of the same file, so the
 * pages the old ones touched stop counting in the process's resident memory once the old mappings
 * are released (they stay in the page cache); a read running meanwhile keeps using the old window,
 * which stays mapped while it is reachable.
 */
final class MappedFile implements AutoCloseable {
  static final int DEFAULT_WINDOW = 1 << 30;

  private final FileIo io;
  private final Path path;
  private final long size;
  private final int windowBits;
  private volatile MappedByteBuffer[] windows;

  MappedFile(FileIo io, Path path) throws IOException {
    this(io, path, 30);
  }

  /** Maps with windows of {@code 1 << windowBits} bytes (small values exercise stitching). */
  MappedFile(FileIo io, Path path, int windowBits) throws IOException {
    this.io = io;
    this.path = path;
    this.windowBits = windowBits;
    FileChannel ch = io.openForRead(path);
    try {
      this.size = ch.size();
      windows = map(ch);
    } finally {
      io.close(ch);
    }
  }

  private MappedByteBuffer[] map(FileChannel ch) throws IOException {
    long w = 1L << windowBits;
    int n = (int) ((size + w - 1) / w);
    MappedByteBuffer[] out = new MappedByteBuffer[n];
    for (int i = 0; i < n; i++) {
      long off = (long) i << windowBits;
      out[i] = io.map(ch, FileChannel.MapMode.READ_ONLY, off, Math.min(w, size - off));
    }
    return out;
  }

  /**
   * Maps the file afresh for later reads and drops this object's references to the current
   * mappings; the caller must hold the owner's reader registration (the file must not be closed).
   */
  void releaseResidentPages() throws IOException {
    FileChannel ch = io.openForRead(path);
    try {
      windows = map(ch);
    } finally {
      io.close(ch);
    }
  }

  /**
   * Takes the pages reads made resident out of the process's resident set without touching the
   * mappings ({@link FileIo#dropResidentPages}); safe during reads. Returns false where the JVM
   * cannot.
   */
  boolean dropResidentPages() {
    boolean ok = true;
    for (MappedByteBuffer w : windows) {
      ok &= io.dropResidentPages(w);
    }
    return ok;
  }

  Path path() {
    return path;
  }

  long size() {
    return size;
  }

  private BlockCorruptException outOfBounds(long pos, long n) {
    return new BlockCorruptException(path, pos, "read of " + n + " bytes beyond the file size " + size);
  }

  byte get(long pos) {
    if (pos < 0 || pos >= size) {
      throw outOfBounds(pos, 1);
    }
    return windows[(int) (pos >>> windowBits)].get((int) (pos & ((1L << windowBits) - 1)));
  }

  /** Copies {@code n} bytes at {@code pos} into a new array. */
  byte[] bytes(long pos, int n) {
    byte[] out = new byte[n];
    read(pos, out, 0, n);
    return out;
  }

  void read(long pos, byte[] dst, int off, int n) {
    if (pos < 0 || n < 0 || pos + n > size) {
      throw outOfBounds(pos, n);
    }
    long mask = (1L << windowBits) - 1;
    MappedByteBuffer[] ws = windows;
    while (n > 0) {
      MappedByteBuffer w = ws[(int) (pos >>> windowBits)];
      int inWin = (int) (pos & mask);
      int k = Math.min(n, w.capacity() - inWin);
      w.get(inWin, dst, off, k);
      pos += k;
      off += k;
      n -= k;
    }
  }

  int be32(long pos) {
    byte[] b = bytes(pos, 4);
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  /** Reads a uvarint at {@code pos}; returns the value, and stores its size in {@code size[0]}. */
  long uvarint(long pos, int[] sizeOut) {
    long v = 0;
    for (int i = 0; i < 10; i++) {
      int x = get(pos + i) & 0xff;
      v |= (long) (x & 0x7f) << (7 * i);
      if ((x & 0x80) == 0) {
        sizeOut[0] = i + 1;
        return v;
      }
    }
    throw new BlockCorruptException(path, pos, "varint overflow");
  }

  @Override
  public void close() {
    for (MappedByteBuffer w : windows) {
      io.unmap(w);
    }
  }
}
