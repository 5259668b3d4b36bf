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
 * <p>With {@link WalCompression#SNAPPY} each record is first Snappy-compressed (block format) and
 * written compressed, with the Snappy flag {@code 0x08} in every fragment's header, when that makes
 * it strictly shorter; the fit into the segment is decided on the bytes actually written. This is
 * Prometheus 2.42's {@code wlog.WL.log}.
 *
 * <p>Records are framed into an in-memory run of pages ({@link #append}) and handed to the
 * operating system by {@link #flush}, in one {@code write} for everything appended since the last
 * flush (a group of commits costs one system call); {@link #log} does both.
 *
 * <p>Threading: {@link #append}, {@link #flush}, {@link #log} and {@link #nextSegment} must be
 * called by one thread at a time (the caller serializes); {@link #sync} may be called
 * concurrently from any thread: one thread fsyncs everything written so far while the others
 * wait, and each returns once its own bytes are covered. After an I/O error the writer refuses
 * further writes.
 *
 * <p>The segment being written is kept extended with zeros up to {@link #ZERO_AHEAD} bytes beyond
 * its records (never past the segment's size), so that most fsyncs find the file's size
 * unchanged and flush only its data, not its metadata as well. Zeros are page padding to a
 * reader, so a segment left with such a tail by a crash reads as it would without it; a segment
 * that is closed is cut back to its records.
 */
public final class WalWriter implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WalWriter.class);
  /** Pages kept between flushes; a larger run grown by one big group is given back after it. */
  private static final int RETAINED_PAGES = 16;
  /** How far ahead of its records the open segment is extended with zeros. */
  static final long ZERO_AHEAD = 1 << 20;

  private final FileIo io;
  private final Path dir;
  private final int pagesPerSegment;
  private final CRC32C crc = new CRC32C();
  private final WalCounters counters;
  /** Null when records are written uncompressed. */
  private final SnappyRecordCompressor snappy;

  /**
   * Unwritten pages: {@code buf[0]} is the first byte of a page of the segment; bytes before
   * {@link #flushed} are in the file, bytes up to {@link #alloc} are framed records, the rest is
   * zero (padding).
   */
  private byte[] buf = new byte[WalSegments.PAGE_SIZE * RETAINED_PAGES];
  private int alloc;
  private int flushed;
  /** Pages of the segment before {@code buf[0]}. */
  private int donePages;
  /** The open segment's file is zero from its records' end up to here. */
  private long zeroedTo;

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
    this(io, dir, firstSegment, segmentBytes, new WalCounters(), WalCompression.NONE);
  }

  /** Same, writing records uncompressed and counting fsyncs and records into {@code counters}. */
  public WalWriter(FileIo io, Path dir, int firstSegment, long segmentBytes, WalCounters counters)
      throws IOException {
    this(io, dir, firstSegment, segmentBytes, counters, WalCompression.NONE);
  }

  /**
   * Same, compressing records as {@code compression} says.
   *
   * @throws IOException also when Snappy is asked for and its native library cannot be loaded
   */
  public WalWriter(FileIo io, Path dir, int firstSegment, long segmentBytes, WalCounters counters,
      WalCompression compression) throws IOException {
    this.counters = counters;
    this.snappy = compression == WalCompression.SNAPPY ? loadSnappy() : null;
    this.io = io;
    this.dir = dir;
    this.pagesPerSegment = (int) Math.max(2, segmentBytes / WalSegments.PAGE_SIZE);
    io.createDirectories(dir);
    openSegment(firstSegment);
  }

  private static SnappyRecordCompressor loadSnappy() throws IOException {
    try {
      return new SnappyRecordCompressor();
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw new IOException("cannot load snappy-java's native library for WAL compression (" + e
          + "); start without WAL compression (--no-storage.tsdb.wal-compression) or set"
          + " -Dorg.xerial.snappy.tempdir to a directory that allows executables", e);
    }
  }

  /** Whether records are Snappy-compressed when that makes them shorter. */
  public boolean compresses() {
    return snappy != null;
  }

  private void openSegment(int index) throws IOException {
    Path p = dir.resolve(WalSegments.segmentName(index));
    channel = io.openForAppend(p);
    if (channel.size() != 0) {
      throw new IOException("new WAL segment " + p + " is not empty");
    }
    segmentIndex = index;
    zeroedTo = 0;
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
   * Writes records (handed to the OS, not yet durable): {@link #append} each, then {@link #flush}.
   *
   * @return a token for {@link #sync}
   */
  public long log(byte[]... records) {
    for (byte[] rec : records) {
      append(rec, 0, rec.length);
    }
    return flush();
  }

  /**
   * Frames one record ({@code len} bytes at {@code off}, copied) into the unwritten pages. It
   * reaches the file with the next {@link #flush}, or earlier when it starts a new segment.
   */
  public void append(byte[] rec, int off, int len) {
    checkFailure();
    try {
      appendOne(rec, off, len);
      counters.recordsWritten.increment();
    } catch (IOException e) {
      throw failed("write", e);
    }
  }

  /**
   * Writes everything appended since the last flush, in one {@code write}.
   *
   * @return a token for {@link #sync} covering every record appended so far
   */
  public long flush() {
    checkFailure();
    try {
      writeBuffered();
      return written;
    } catch (IOException e) {
      throw failed("write", e);
    }
  }

  /**
   * Marks the writer failed (it refuses further writes) after an error its caller met while
   * writing through it, when the unwritten pages can no longer be trusted.
   */
  public void fail(IOException e) {
    if (failure == null) {
      failure = e;
    }
  }

  private StorageException failed(String what, IOException e) {
    failure = e;
    return new StorageException(what + " WAL segment " + segmentIndex + ": " + e.getMessage(), e);
  }

  private int inPage() {
    return alloc % WalSegments.PAGE_SIZE;
  }

  private void appendOne(byte[] rec, int recOff, int len) throws IOException {
    if (pageFull()) {
      padPage();
    }
    int flag = 0;
    if (snappy != null) {
      int n = snappy.compress(rec, recOff, len);
      if (n >= 0) {
        rec = snappy.output();
        recOff = 0;
        len = n;
        flag = WalSegments.SNAPPY_FLAG;
      }
    }
    int pagesUsed = donePages + alloc / WalSegments.PAGE_SIZE;
    long left = (long) (WalSegments.PAGE_SIZE - inPage()) - WalSegments.HEADER_SIZE;
    left += (long) (WalSegments.PAGE_SIZE - WalSegments.HEADER_SIZE) * (pagesPerSegment - pagesUsed - 1);
    if (len > left) {
      nextSegment();
    }
    int off = 0;
    for (int i = 0; i == 0 || off < len; i++) {
      ensurePage();
      int l = Math.min(len - off, WalSegments.PAGE_SIZE - inPage() - WalSegments.HEADER_SIZE);
      boolean last = off + l == len;
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
      crc.update(rec, recOff + off, l);
      int c = (int) crc.getValue();
      byte[] b = buf;
      b[alloc] = (byte) (type | flag);
      b[alloc + 1] = (byte) (l >>> 8);
      b[alloc + 2] = (byte) l;
      b[alloc + 3] = (byte) (c >>> 24);
      b[alloc + 4] = (byte) (c >>> 16);
      b[alloc + 5] = (byte) (c >>> 8);
      b[alloc + 6] = (byte) c;
      System.arraycopy(rec, recOff + off, b, alloc + WalSegments.HEADER_SIZE, l);
      alloc += l + WalSegments.HEADER_SIZE;
      off += l;
      if (pageFull()) {
        padPage();
      }
    }
  }

  private boolean pageFull() {
    return WalSegments.PAGE_SIZE - inPage() < WalSegments.HEADER_SIZE;
  }

  /** Leaves the rest of the current page zero (padding): the next fragment starts a new page. */
  private void padPage() {
    int in = inPage();
    if (in != 0) {
      alloc += WalSegments.PAGE_SIZE - in;
    }
  }

  /** Makes room in the buffer for the whole page that {@link #alloc} is in. */
  private void ensurePage() {
    int need = alloc - inPage() + WalSegments.PAGE_SIZE;
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  /**
   * Writes {@code [flushed, alloc)} in one call, then moves the current partial page (if any) to
   * the front of the buffer and zeroes what the written pages used.
   */
  private void writeBuffered() throws IOException {
    int n = alloc - flushed;
    if (n > 0) {
      long end = fileEnd() + n;
      io.write(channel, ByteBuffer.wrap(buf, flushed, n));
      written += n;
      zeroAhead(end);
    }
    flushed = alloc;
    int pageStart = alloc - inPage();
    if (pageStart == 0) {
      return;
    }
    int keep = alloc - pageStart;
    if (buf.length > WalSegments.PAGE_SIZE * RETAINED_PAGES) {
      byte[] fresh = new byte[WalSegments.PAGE_SIZE * RETAINED_PAGES];
      System.arraycopy(buf, pageStart, fresh, 0, keep);
      buf = fresh;
    } else {
      System.arraycopy(buf, pageStart, buf, 0, keep);
      Arrays.fill(buf, keep, alloc, (byte) 0);
    }
    donePages += pageStart / WalSegments.PAGE_SIZE;
    alloc = keep;
    flushed = keep;
  }

  /** Offset in the segment file just after the bytes written into it. */
  private long fileEnd() {
    return (long) donePages * WalSegments.PAGE_SIZE + flushed;
  }

  /** Extends the file with zeros beyond {@code end} when the records have reached the zeros' end. */
  private void zeroAhead(long end) {
    if (end <= zeroedTo) {
      return;
    }
    long to = Math.max(end, Math.min((long) pagesPerSegment * WalSegments.PAGE_SIZE, end + ZERO_AHEAD));
    try {
      if (to > end) {
        io.writeZeros(channel, end, to - end);
      }
    } catch (IOException e) {
      // Only a cost: the records are written, and the next fsyncs also flush the file's size.
      // Tried again once the records pass `to` (the file is cut to its records at close).
      LOG.warn("extending WAL segment {} with zeros failed: {}", segmentIndex, e.toString());
    }
    zeroedTo = to;
  }

  /** Cuts the zeros beyond the records off the segment file before it is synced and closed. */
  private void cutZeros() throws IOException {
    long end = fileEnd();
    if (zeroedTo > end) {
      io.truncate(channel, end);
      zeroedTo = end;
    }
  }

  /**
   * Writes what is buffered, pads and syncs the current segment and starts the next one. Returns
   * the closed index.
   */
  public int nextSegment() throws IOException {
    checkFailure();
    padPage();
    try {
      writeBuffered();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
    int closed = segmentIndex;
    synchronized (syncLock) {
      cutZeros();
      timedSync();
      durable = written;
      io.close(channel);
      openSegment(closed + 1);
    }
    donePages = 0; // the buffer is empty: everything was padded and written
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
          writeBuffered();
        }
        if (failure == null) {
          cutZeros();
          io.sync(channel);
          durable = written;
        }
      } finally {
        io.close(channel);
      }
    }
  }
}
