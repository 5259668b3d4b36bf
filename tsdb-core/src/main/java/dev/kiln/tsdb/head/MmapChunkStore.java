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
 * <p>Each file is mapped read-write at the full file size and written through the mapping,
 * while the file itself is only as long as what is written into it, as Prometheus's are: it grows
 * in steps of {@link #GROW_BYTES} just ahead of the chunks and is cut back to its last chunk when
 * the next file is started or the store closes, so its size on disk follows the chunks it holds
 * (the mapping's pages beyond the end of the file are never touched). Writes need no fsync:
 * everything in the files is also in the write-ahead log, which is what survives a crash; but a
 * file is synced before the next one is started, so on restart {@link #loadPreexisting} can hand
 * the chunks of complete files (and of the newest file up to its first damaged chunk) back to the
 * head, and the replay skips the samples they hold. As Prometheus does, every head truncation
 * that finds chunks in the current file starts a new one, so that the next truncation can delete
 * it whole. When a file cannot be mapped or grown the store keeps chunks on the heap instead
 * (logged once) and loses nothing.
 *
 * <p>Thread-safe.
 */
public final class MmapChunkStore implements ChunkStore {
  private static final Logger LOG = LoggerFactory.getLogger(MmapChunkStore.class);
  static final int MAGIC = 0x0130BC91;
  static final int HEADER_BYTES = 8;
  private static final int MAX_CHUNK_OVERHEAD = 8 + 8 + 8 + 1 + 5 + 4;
  /** How far the current file is grown at a time when a chunk would pass its end. */
  static final int GROW_BYTES = 64 * 1024;

  private final FileIo io;
  private final Path dir;
  private final int fileBytes;
  private final TreeMap<Integer, MappedFile> files = new TreeMap<>();
  /** The files by index for {@link #read} without the lock; replaced under the lock whenever {@link #files} changes. */
  private volatile FileTable table = FileTable.EMPTY;
  private final HeapChunkStore fallback = new HeapChunkStore();
  private final CRC32C crc = new CRC32C();
  private MappedFile current;
  private boolean degraded;
  private final java.util.List<Path> preexisting = new java.util.ArrayList<>();
  private int nextIndex = 1;
  private final Path stateFile;
  private long persistedMinValidTime = Long.MIN_VALUE;
  private long maxSeriesRef;

  private static final class MappedFile {
    final int index;
    final Path path;
    /** Replaced (under the store's lock) by {@link #releaseResidentPages()}; read without it. */
    volatile MappedByteBuffer buf;
    /** Written under the store's lock after the chunk's bytes, read without it by {@link #read}. */
    volatile int size = HEADER_BYTES;
    long maxT = Long.MIN_VALUE;
    /** The current file's open channel and its length (ahead of {@link #size}); null when finished. */
    FileChannel channel;
    long length;

    MappedFile(int index, Path path, MappedByteBuffer buf) {
      this.index = index;
      this.path = path;
      this.buf = buf;
    }
  }

  /** An immutable view of the files by index, from the lowest index on. */
  private record FileTable(int base, MappedFile[] byIndex) {
    static final FileTable EMPTY = new FileTable(0, new MappedFile[0]);

    static FileTable of(TreeMap<Integer, MappedFile> files) {
      if (files.isEmpty()) {
        return EMPTY;
      }
      int base = files.firstKey();
      MappedFile[] a = new MappedFile[files.lastKey() - base + 1];
      for (MappedFile f : files.values()) {
        a[f.index - base] = f;
      }
      return new FileTable(base, a);
    }

    MappedFile get(int index) {
      int i = index - base;
      return i >= 0 && i < byIndex.length ? byIndex[i] : null;
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
    this(io, dir, fileBytes, null);
  }

  /**
   * Same, persisting the truncation time in {@code stateFile} (null: not persisted), so that a
   * restart does not bring back chunks older than the last truncation.
   */
  public MmapChunkStore(FileIo io, Path dir, int fileBytes, Path stateFile) {
    this.stateFile = stateFile;
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

  /** Chunks of one series found in files of an earlier run, oldest first. */
  public static final class LoadedChunks {
    long[] refs = new long[4];
    long[] minT = new long[4];
    long[] maxT = new long[4];
    int count;

    void add(long ref, long mint, long maxt) {
      if (count == refs.length) {
        refs = java.util.Arrays.copyOf(refs, count * 2);
        minT = java.util.Arrays.copyOf(minT, count * 2);
        maxT = java.util.Arrays.copyOf(maxT, count * 2);
      }
      refs[count] = ref;
      minT[count] = mint;
      maxT[count] = maxt;
      count++;
    }
  }

  /** The truncation time saved by the last run, or {@link Long#MIN_VALUE}. */
  public long persistedMinValidTime() {
    if (stateFile == null) {
      return Long.MIN_VALUE;
    }
    try {
      if (!io.exists(stateFile)) {
        return Long.MIN_VALUE;
      }
      return Long.parseLong(
          new String(io.readAll(stateFile), java.nio.charset.StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      LOG.warn("ignoring unreadable head state {}: {}", stateFile, e.toString());
      return Long.MIN_VALUE;
    }
  }

  /**
   * Maps the chunk files of an earlier run and returns their chunks by series ref, skipping
   * chunks that end before {@code minValidTime}. Reading stops at the first chunk that is cut
   * off or fails its checksum; that file's rest and all later files are dropped by
   * {@link #dropPreexisting()}, and their samples come from the write-ahead log instead. Files
   * before the last one were synced when the next one was started, so only the newest can be
   * torn and no series loses a chunk in the middle.
   */
  public synchronized java.util.Map<Long, LoadedChunks> loadPreexisting(long minValidTime) {
    java.util.Map<Long, LoadedChunks> out = new java.util.HashMap<>();
    java.util.List<Path> sorted = new java.util.ArrayList<>(preexisting);
    sorted.sort(null);
    java.util.List<Path> kept = new java.util.ArrayList<>();
    boolean stop = false;
    long chunks = 0;
    for (Path p : sorted) {
      if (stop) {
        break;
      }
      int index = Integer.parseInt(p.getFileName().toString());
      MappedByteBuffer buf;
      try {
        FileChannel ch = io.openForUpdate(p);
        try {
          buf = io.map(ch, FileChannel.MapMode.READ_WRITE, 0, ch.size());
        } finally {
          io.close(ch);
        }
      } catch (IOException e) {
        LOG.warn("cannot map old head chunk file {} ({}); its samples come from the WAL", p, e.toString());
        break;
      }
      if (buf.capacity() < HEADER_BYTES || buf.getInt(0) != MAGIC || buf.get(4) != 1) {
        LOG.warn("head chunk file {} has no valid header; its samples come from the WAL", p);
        io.unmap(buf);
        break;
      }
      MappedFile f = new MappedFile(index, p, buf);
      int pos = HEADER_BYTES;
      while (pos + 25 < buf.capacity()) {
        long seriesRef = buf.getLong(pos);
        long mint = buf.getLong(pos + 8);
        long maxt = buf.getLong(pos + 16);
        if (seriesRef == 0 && mint == 0 && maxt == 0) {
          break; // end of the written part
        }
        int len = chunkLength(buf, pos);
        if (len < 0) {
          LOG.warn("head chunk file {} is torn at offset {}; later chunks come from the WAL", p, pos);
          stop = true;
          break;
        }
        long ref = ((long) index << 32) | pos;
        maxSeriesRef = Math.max(maxSeriesRef, seriesRef);
        if (maxt >= minValidTime) {
          out.computeIfAbsent(seriesRef, k -> new LoadedChunks()).add(ref, mint, maxt);
          chunks++;
        }
        f.maxT = Math.max(f.maxT, maxt);
        pos += len;
      }
      f.size = pos;
      files.put(index, f);
      table = FileTable.of(files);
      kept.add(p);
    }
    preexisting.removeAll(kept);
    LOG.info("loaded {} chunks of {} series from {} head chunk file(s)", chunks, out.size(), kept.size());
    return out;
  }

  /** The largest series ref found by {@link #loadPreexisting}, or 0. */
  public synchronized long maxSeriesRefInFiles() {
    return maxSeriesRef;
  }

  /** Total bytes of the chunk at {@code pos} if it is complete and intact, else -1. */
  private int chunkLength(MappedByteBuffer b, int pos) {
    int p = pos + 25;
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= b.capacity() || shift > 28) {
        return -1;
      }
      int c = b.get(p++) & 0xff;
      len |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        break;
      }
    }
    if (len < 2 || p + len + 4 > b.capacity()) {
      return -1;
    }
    crc.reset();
    crc.update(b.slice(pos, p + (int) len - pos));
    if (b.getInt(p + (int) len) != (int) crc.getValue()) {
      return -1;
    }
    return p + (int) len + 4 - pos;
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
      grow(current, current.size + need);
    } catch (IOException | RuntimeException e) {
      degraded = true;
      LOG.error("cannot map or grow a head chunk file in {} ({}); keeping head chunks on the heap", dir, e.toString());
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

  /**
   * Finishes the current file and starts the next: the header is written before the file is
   * mapped, so that a crash at any point leaves either no file, a bare header or a header followed
   * by zeros, which Kiln and Prometheus both read as a file without chunks.
   */
  private void cutFile() throws IOException {
    if (current != null) {
      finish(current);
      current = null;
    }
    int index = nextIndex++;
    Path path = dir.resolve(String.format("%06d", index));
    FileChannel ch = io.openForAppend(path);
    MappedByteBuffer buf;
    try {
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).put((byte) 1);
      io.write(ch, header.clear());
      buf = mapWhole(ch, HEADER_BYTES);
    } catch (IOException | RuntimeException e) {
      io.close(ch);
      throw e;
    }
    MappedFile f = new MappedFile(index, path, buf);
    f.channel = ch;
    f.length = HEADER_BYTES;
    files.put(index, f);
    table = FileTable.of(files);
    current = f;
  }

  /**
   * Maps the current file at the full file size and cuts the file back to {@code length} (Java
   * lengthens a file to the size of a read-write mapping).
   */
  private MappedByteBuffer mapWhole(FileChannel ch, long length) throws IOException {
    MappedByteBuffer buf = io.map(ch, FileChannel.MapMode.READ_WRITE, 0, fileBytes);
    io.truncate(ch, length);
    return buf;
  }

  /** Lengthens the current file, a step at a time, so that it covers {@code end}. */
  private void grow(MappedFile f, long end) throws IOException {
    if (end <= f.length) {
      return;
    }
    long to = Math.min(fileBytes, (end + GROW_BYTES - 1) / GROW_BYTES * GROW_BYTES);
    io.extend(f.channel, to);
    f.length = to;
  }

  /**
   * Cuts a file back to its last chunk, syncs its chunks (files before the newest must be complete
   * on disk: a restart trusts them fully) and closes its channel. A crash that loses the cut only
   * leaves zeros after the last chunk.
   */
  private void finish(MappedFile f) throws IOException {
    FileChannel ch = f.channel;
    f.channel = null;
    try {
      io.truncate(ch, f.size);
      f.length = f.size;
      io.force(f.buf);
    } finally {
      io.close(ch);
    }
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
    MappedFile f = table.get(index);
    int size = f == null ? 0 : f.size;
    if (f == null || offset < HEADER_BYTES || offset >= size) {
      throw new StorageException("head chunk ref " + Long.toHexString(ref) + " points to no chunk");
    }
    return new MappedChunk(f.buf, offset, f.path);
  }

  /** Deletes whole files whose chunks all end before {@code mint} (never the current file). */
  @Override
  public synchronized void truncateBefore(long mint) {
    fallback.truncateBefore(mint);
    if (stateFile != null && mint > persistedMinValidTime) {
      try {
        io.writeAtomically(stateFile, Long.toString(mint).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        persistedMinValidTime = mint;
      } catch (IOException e) {
        LOG.warn("save head truncation time to {}: {}", stateFile, e.getMessage());
      }
    }
    // Oldest first, stopping at the first file kept, so that the files stay numbered without gaps
    // (Prometheus refuses a chunks_head directory with a gap).
    for (var it = files.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, MappedFile> e = it.next();
      MappedFile f = e.getValue();
      if (f == current || f.maxT >= mint) {
        break;
      }
      io.unmap(f.buf);
      try {
        io.deleteRecursively(f.path);
      } catch (IOException ex) {
        LOG.warn("delete head chunk file {}: {}", f.path, ex.getMessage());
      }
      it.remove();
    }
    table = FileTable.of(files);
    if (current != null && current.size > HEADER_BYTES && !degraded) {
      try {
        cutFile();
      } catch (IOException | RuntimeException e) {
        degraded = true;
        LOG.error("cannot start a head chunk file in {} ({}); keeping head chunks on the heap", dir, e.toString());
      }
    }
  }

  /**
   * Maps every chunk file afresh, so that the file pages earlier writes and reads made resident
   * stop counting in the process's resident memory once the old mappings are released (the next
   * collection that finds them unreachable: {@link FileIo#unmap} leaves that to the collector).
   * The pages stay in the page cache, which both mappings share, so nothing written is lost and
   * a chunk still reading through an old mapping sees the same bytes.
   */
  public synchronized void releaseResidentPages() {
    for (MappedFile f : files.values()) {
      try {
        if (f.channel != null) {
          f.buf = mapWhole(f.channel, f.length);
          continue;
        }
        FileChannel ch = io.openForUpdate(f.path);
        try {
          f.buf = io.map(ch, FileChannel.MapMode.READ_WRITE, 0, Math.min(f.buf.capacity(), ch.size()));
        } finally {
          io.close(ch);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("remap head chunk file {}: {}", f.path, e.toString());
      }
    }
  }

  /**
   * Takes the chunk files' pages out of the process's resident set without remapping (see {@link
   * dev.kiln.tsdb.io.ResidentPages}): written pages stay in the page cache with their changes, and
   * the next write or read maps them in again. Appends may run meanwhile; the store's lock is held
   * only to list the files. Returns false where the JVM cannot.
   */
  public boolean dropResidentPages() {
    MappedByteBuffer[] bufs;
    synchronized (this) {
      bufs = new MappedByteBuffer[files.size()];
      int i = 0;
      for (MappedFile f : files.values()) {
        bufs[i++] = f.buf;
      }
    }
    boolean ok = true;
    for (MappedByteBuffer b : bufs) {
      ok &= io.dropResidentPages(b);
    }
    return ok;
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
    if (current != null) {
      try {
        finish(current);
      } catch (IOException | RuntimeException e) {
        LOG.warn("finish head chunk file {}: {}", current.path, e.toString());
      }
    }
    for (MappedFile f : files.values()) {
      io.unmap(f.buf);
    }
    files.clear();
    table = FileTable.EMPTY;
    current = null;
    fallback.close();
  }
}
