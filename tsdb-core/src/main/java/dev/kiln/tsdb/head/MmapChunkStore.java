package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completed head chunks in memory-mapped files, in Prometheus's {@code chunks_head} format, so
 * they live in the page cache instead of the Java heap.
 *
 * <p>Files {@code 000001}, {@code 000002}, ... in the directory, each at most {@code fileBytes}.
 * File header (8 bytes): magic {@code 0x0130BC91} (big-endian), version 1, 3 zero bytes. Each
 * chunk: series ref (BE64), mint (BE64), maxt (BE64), encoding (1 byte), data length (uvarint),
 * data, CRC32C (BE32) over everything from the series ref to the end of the data. A chunk
 * reference is {@code fileIndex << 32 | offset}.
 *
 * <p>Files are mapped read-write at their full size (sparse on disk) and written through the
 * mapping, without fsync: everything in them is also in the write-ahead log, which is what
 * survives a crash. On start the replay refills the store and the files of the earlier run are
 * deleted afterwards. When a mapping
 * cannot be made the store keeps chunks on the heap instead (logged once) and loses nothing.
 *
 * <p>Thread-safe.
 */
public final class MmapChunkStore implements ChunkStore {
  private static final Logger LOG = LoggerFactory.getLogger(MmapChunkStore.class);
  static final int MAGIC = 0x0130BC91;
  static final int HEADER_BYTES = 8;
  private static final int MAX_CHUNK_OVERHEAD = 8 + 8 + 8 + 1 + 5 + 4;

  private final FileIo io;
  private final Path dir;
  private final int fileBytes;
  private final TreeMap<Integer, MappedFile> files = new TreeMap<>();
  private final HeapChunkStore fallback = new HeapChunkStore();
  private final CRC32C crc = new CRC32C();
  private MappedFile current;
  private boolean degraded;
  private final java.util.List<Path> preexisting = new java.util.ArrayList<>();
  private int nextIndex = 1;

  private static final class MappedFile {
    final int index;
    final Path path;
    final MappedByteBuffer buf;
    int size = HEADER_BYTES;
    long maxT = Long.MIN_VALUE;

    MappedFile(int index, Path path, MappedByteBuffer buf) {
      this.index = index;
      this.path = path;
      this.buf = buf;
    }
  }

  /**
   * Opens the store in {@code dir}. Chunk files left by an earlier run are left alone (new files
   * are numbered after them) until {@link #dropPreexisting()}, which the database calls once its
   * write-ahead log replay has succeeded, so a failed start changes nothing on disk.
   *
   * @param fileBytes size of each file (Prometheus: 128 MiB)
   */
  public MmapChunkStore(FileIo io, Path dir, int fileBytes) {
    if (fileBytes < 1024) {
      throw new IllegalArgumentException("head chunk file size too small: " + fileBytes);
    }
    this.io = io;
    this.dir = dir;
    this.fileBytes = fileBytes;
    try {
      io.createDirectories(dir);
      for (Path p : io.list(dir)) {
        String name = p.getFileName().toString();
        if (name.length() == 6 && name.chars().allMatch(Character::isDigit)) {
          preexisting.add(p);
          nextIndex = Math.max(nextIndex, Integer.parseInt(name) + 1);
        }
      }
    } catch (IOException e) {
      throw new StorageException("prepare head chunks directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the chunk files of an earlier run (their data was replayed from the log). */
  public synchronized void dropPreexisting() {
    for (Path p : preexisting) {
      try {
        io.deleteRecursively(p);
      } catch (IOException e) {
        LOG.warn("delete old head chunk file {}: {}", p, e.getMessage());
      }
    }
    preexisting.clear();
  }

  @Override
  public synchronized long write(long seriesRef, long minT, long maxT, Chunk chunk) {
    if (degraded) {
      return fallbackRef(fallback.write(seriesRef, minT, maxT, chunk));
    }
    byte[] data = chunk.bytes();
    int need = MAX_CHUNK_OVERHEAD + data.length;
    try {
      if (current == null || current.size + need > fileBytes) {
        cutFile();
      }
    } catch (IOException | RuntimeException e) {
      degraded = true;
      LOG.error("cannot map a head chunk file in {} ({}); keeping head chunks on the heap", dir, e.toString());
      return fallbackRef(fallback.write(seriesRef, minT, maxT, chunk));
    }
    MappedByteBuffer b = current.buf;
    int start = current.size;
    int p = start;
    b.putLong(p, seriesRef);
    b.putLong(p + 8, minT);
    b.putLong(p + 16, maxT);
    b.put(p + 24, chunk.encoding().code());
    p += 25;
    long len = data.length;
    while (len >= 0x80) {
      b.put(p++, (byte) (len | 0x80));
      len >>>= 7;
    }
    b.put(p++, (byte) len);
    b.put(p, data);
    p += data.length;
    crc.reset();
    crc.update(b.slice(start, p - start));
    b.putInt(p, (int) crc.getValue());
    p += 4;
    current.size = p;
    current.maxT = Math.max(current.maxT, maxT);
    return ((long) current.index << 32) | start;
  }

  /** Heap fallback refs use file index 0, which no file has. */
  private static long fallbackRef(long heapRef) {
    return heapRef & 0xffffffffL;
  }

  private void cutFile() throws IOException {
    int index = nextIndex++;
    Path path = dir.resolve(String.format("%06d", index));
    FileChannel ch = io.openForAppend(path);
    MappedByteBuffer buf;
    try {
      buf = io.map(ch, FileChannel.MapMode.READ_WRITE, 0, fileBytes);
    } finally {
      io.close(ch);
    }
    buf.putInt(0, MAGIC);
    buf.put(4, (byte) 1);
    MappedFile f = new MappedFile(index, path, buf);
    files.put(index, f);
    current = f;
  }

  /**
   * Returns the chunk as a view of its file's mapping; the data and checksum are read when the
   * chunk is first used, outside any lock, and stay readable after truncation deletes the file.
   */
  @Override
  public Chunk read(long ref) {
    int index = (int) (ref >>> 32);
    int offset = (int) ref;
    if (index == 0) {
      return fallback.read(ref);
    }
    MappedFile f;
    int size;
    synchronized (this) {
      f = files.get(index);
      size = f == null ? 0 : f.size;
    }
    if (f == null || offset < HEADER_BYTES || offset >= size) {
      throw new StorageException("head chunk ref " + Long.toHexString(ref) + " points to no chunk");
    }
    return new MappedChunk(f.buf, offset, f.path);
  }

  /** Deletes whole files whose chunks all end before {@code mint} (never the current file). */
  @Override
  public synchronized void truncateBefore(long mint) {
    fallback.truncateBefore(mint);
    for (var it = files.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, MappedFile> e = it.next();
      MappedFile f = e.getValue();
      if (f != current && f.maxT < mint) {
        io.unmap(f.buf);
        try {
          io.deleteRecursively(f.path);
        } catch (IOException ex) {
          LOG.warn("delete head chunk file {}: {}", f.path, ex.getMessage());
        }
        it.remove();
      }
    }
  }

  /** Number of chunk files in use. */
  public synchronized int fileCount() {
    return files.size();
  }

  @Override
  public long heapBytes() {
    return fallback.heapBytes();
  }

  @Override
  public synchronized void close() {
    for (MappedFile f : files.values()) {
      io.unmap(f.buf);
    }
    files.clear();
    current = null;
    fallback.close();
  }
}
