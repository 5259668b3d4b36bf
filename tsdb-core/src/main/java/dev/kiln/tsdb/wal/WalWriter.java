package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Appends records to segment files in Prometheus's {@code wlog} layout: 32 KiB pages, records
 * split into fragments that never cross a page, each with a 7-byte header (type, length,
 * CRC32C); when a record does not fit into the current segment a new segment is started.
 *
 * <p>Threading: {@link #log} must be called by one thread at a time (the caller serializes);
 * {@link #sync} may be called concurrently from any thread and implements group commit: one
 * thread fsyncs everything written so far while the others wait, and each returns once its own
 * bytes are covered. After an I/O error the writer refuses further writes.
 */
public final class WalWriter implements AutoCloseable {
  private final FileIo io;
  private final Path dir;
  private final int pagesPerSegment;
  private final CRC32C crc = new CRC32C();
  private final WalCounters counters;

  private final byte[] page = new byte[WalSegments.PAGE_SIZE];
  private int alloc;
  private int flushed;
  private int donePages;

  private volatile FileChannel channel;
  private volatile int segmentIndex;
  private volatile long written;
  private volatile long durable;
  private volatile IOException failure;
  private final Object syncLock = new Object();

  /**
   * Creates a writer that starts a new segment with the given index in {@code dir}.
   *
   * @param segmentBytes segment size; rounded down to whole pages
   */
  public WalWriter(FileIo io, Path dir, int firstSegment, long segmentBytes) throws IOException {
    this(io, dir, firstSegment, segmentBytes, new WalCounters());
  }

  /** Same, counting fsyncs and records into {@code counters}. */
  public WalWriter(FileIo io, Path dir, int firstSegment, long segmentBytes, WalCounters counters)
      throws IOException {
    this.counters = counters;
    this.io = io;
    this.dir = dir;
    this.pagesPerSegment = (int) Math.max(2, segmentBytes / WalSegments.PAGE_SIZE);
    io.createDirectories(dir);
    openSegment(firstSegment);
  }

  private void openSegment(int index) throws IOException {
    Path p = dir.resolve(WalSegments.segmentName(index));
    channel = io.openForAppend(p);
    if (channel.size() != 0) {
      throw new IOException("new WAL segment " + p + " is not empty");
    }
    segmentIndex = index;
    io.syncDirectory(dir);
  }

  /** Bytes handed to the operating system so far in this writer: the token covering them all. */
  public long writtenBytes() {
    return written;
  }

  /** Index of the segment being written. */
  public int segmentIndex() {
    return segmentIndex;
  }

  /**
   * Writes records (handed to the OS, not yet durable).
   *
   * @return a token for {@link #sync}
   */
  public long log(byte[]... records) {
    checkFailure();
    try {
      for (byte[] rec : records) {
        logOne(rec);
      }
      counters.recordsWritten.add(records.length);
      if (alloc > flushed) {
        flushPage(false);
      }
      return written;
    } catch (IOException e) {
      failure = e;
      throw new StorageException("write WAL segment " + segmentIndex + ": " + e.getMessage(), e);
    }
  }

  private void logOne(byte[] rec) throws IOException {
    if (pageFull()) {
      flushPage(true);
    }
    long left = (long) (WalSegments.PAGE_SIZE - alloc) - WalSegments.HEADER_SIZE;
    left += (long) (WalSegments.PAGE_SIZE - WalSegments.HEADER_SIZE) * (pagesPerSegment - donePages - 1);
    if (rec.length > left) {
      nextSegment();
    }
    int off = 0;
    for (int i = 0; i == 0 || off < rec.length; i++) {
      int l = Math.min(rec.length - off, WalSegments.PAGE_SIZE - alloc - WalSegments.HEADER_SIZE);
      boolean last = off + l == rec.length;
      int type;
      if (i == 0 && last) {
        type = WalSegments.FULL;
      } else if (last) {
        type = WalSegments.LAST;
      } else if (i == 0) {
        type = WalSegments.FIRST;
      } else {
        type = WalSegments.MIDDLE;
      }
      crc.reset();
      crc.update(rec, off, l);
      int c = (int) crc.getValue();
      page[alloc] = (byte) type;
      page[alloc + 1] = (byte) (l >>> 8);
      page[alloc + 2] = (byte) l;
      page[alloc + 3] = (byte) (c >>> 24);
      page[alloc + 4] = (byte) (c >>> 16);
      page[alloc + 5] = (byte) (c >>> 8);
      page[alloc + 6] = (byte) c;
      System.arraycopy(rec, off, page, alloc + WalSegments.HEADER_SIZE, l);
      alloc += l + WalSegments.HEADER_SIZE;
      off += l;
      if (pageFull()) {
        flushPage(true);
      }
    }
  }

  private boolean pageFull() {
    return WalSegments.PAGE_SIZE - alloc < WalSegments.HEADER_SIZE;
  }

  /** Writes the unwritten part of the page; with {@code clear}, pads it and starts a new page. */
  private void flushPage(boolean clear) throws IOException {
    if (clear) {
      alloc = WalSegments.PAGE_SIZE;
    }
    int n = alloc - flushed;
    if (n > 0) {
      io.write(channel, ByteBuffer.wrap(page, flushed, n));
      written += n;
    }
    flushed = alloc;
    if (clear) {
      Arrays.fill(page, (byte) 0);
      alloc = 0;
      flushed = 0;
      donePages++;
    }
  }

  /** Pads and syncs the current segment and starts the next one. Returns the closed index. */
  public int nextSegment() throws IOException {
    if (alloc > 0) {
      flushPage(true);
    }
    int closed = segmentIndex;
    synchronized (syncLock) {
      timedSync();
      durable = written;
      io.close(channel);
      openSegment(closed + 1);
    }
    donePages = 0;
    return closed;
  }

  /** Returns once everything up to {@code token} is durable; concurrent callers share fsyncs. */
  public void sync(long token) {
    if (durable >= token) {
      return;
    }
    synchronized (syncLock) {
      if (durable >= token) {
        return;
      }
      checkFailure();
      long target = written;
      try {
        timedSync();
      } catch (IOException e) {
        failure = e;
        throw new StorageException("fsync WAL segment " + segmentIndex + ": " + e.getMessage(), e);
      }
      durable = Math.max(durable, target);
    }
  }

  private void timedSync() throws IOException {
    long start = System.nanoTime();
    io.sync(channel);
    counters.fsync(System.nanoTime() - start);
  }

  private void checkFailure() {
    IOException f = failure;
    if (f != null) {
      throw new StorageException("write-ahead log failed earlier: " + f.getMessage(), f);
    }
  }

  /** Writes the partial page, syncs and closes the segment. */
  @Override
  public void close() throws IOException {
    synchronized (syncLock) {
      try {
        if (failure == null && alloc > flushed) {
          flushPage(false);
        }
        if (failure == null) {
          io.sync(channel);
          durable = written;
        }
      } finally {
        io.close(channel);
      }
    }
  }
}
