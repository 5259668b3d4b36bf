package dev.kiln.tsdb.block;

import dev.kiln.tsdb.index.Postings;
import dev.kiln.tsdb.index.PostingsForMatchers;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable persistent block opened from its directory ({@code meta.json}, {@code index},
 * {@code chunks/}, {@code tombstones}), readable as a {@link Queryable}. Files are memory-mapped;
 * opening verifies magics, versions and the index's table checksums, reads verify the checksums
 * of series, postings and chunks. Only the tombstones change, through {@link #delete}.
 *
 * <p>Thread-safe. Queriers hold a reader reference; {@link #close()} unmaps the files once the
 * last querier is closed, so a block can be dropped while queries still read it.
 */
public final class Block implements Queryable, AutoCloseable {
  private final FileIo io;
  private final Path dir;
  private volatile BlockMeta meta;
  private final IndexReader index;
  private final ChunkReader chunks;
  private volatile Tombstones tombstones;
  private final long sizeBytes;
  private int readers;
  private boolean closing;
  private boolean released;

  private Block(FileIo io, Path dir, BlockMeta meta, IndexReader index, ChunkReader chunks, Tombstones t, long size) {
    this.io = io;
    this.dir = dir;
    this.meta = meta;
    this.index = index;
    this.chunks = chunks;
    this.tombstones = t;
    this.sizeBytes = size;
  }

  /**
   * Opens the block in {@code dir}.
   *
   * @throws BlockCorruptException when a file fails its checks
   * @throws StorageException when a file is missing or unreadable
   */
  public static Block open(FileIo io, Path dir) {
    BlockMeta meta = readMeta(io, dir);
    IndexReader index = null;
    ChunkReader chunks = null;
    try {
      index = new IndexReader(io, dir.resolve("index"));
      chunks = new ChunkReader(io, dir.resolve("chunks"));
      Tombstones t = Tombstones.read(io, dir);
      long size = io.size(dir.resolve("index")) + chunks.size() + io.size(dir.resolve("meta.json"));
      if (io.exists(dir.resolve(Tombstones.FILE))) {
        size += io.size(dir.resolve(Tombstones.FILE));
      }
      return new Block(io, dir, meta, index, chunks, t, size);
    } catch (IOException e) {
      closeQuietly(index, chunks);
      throw new StorageException("open block " + dir.getFileName() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(index, chunks);
      throw e;
    }
  }

  private static void closeQuietly(IndexReader index, ChunkReader chunks) {
    if (index != null) {
      index.close();
    }
    if (chunks != null) {
      chunks.close();
    }
  }

  /** Reads and parses {@code dir/meta.json}. */
  public static BlockMeta readMeta(FileIo io, Path dir) {
    Path f = dir.resolve("meta.json");
    try {
      return MetaJson.parse(new String(io.readAll(f), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(f, 0, e.getMessage());
    } catch (IOException e) {
      throw new StorageException("open block " + dir.getFileName() + ": read meta.json: " + e.getMessage(), e);
    }
  }

  public BlockMeta meta() {
    return meta;
  }

  public Path dir() {
    return dir;
  }

  /** Bytes of the block's files on disk. */
  public long sizeBytes() {
    return sizeBytes;
  }

  public Tombstones tombstones() {
    return tombstones;
  }

  IndexReader index() {
    return index;
  }

  ChunkReader chunks() {
    return chunks;
  }

  /** Registers a reader; false when the block is closing. */
  synchronized boolean acquire() {
    if (closing) {
      return false;
    }
    readers++;
    return true;
  }

  synchronized void release() {
    readers--;
    if (closing && readers == 0) {
      unmap();
    }
  }

  private void unmap() {
    if (!released) {
      released = true;
      index.close();
      chunks.close();
    }
  }

  @Override
  public Querier querier(long mintMillis, long maxtMillis) {
    if (!acquire()) {
      throw new StorageException("block " + meta.ulid() + " is closed");
    }
    return new BlockQuerier(this, mintMillis, maxtMillis);
  }

  /** A reader over the block's series for compaction; must be closed. */
  public BlockSeriesReader seriesReader() {
    if (!acquire()) {
      throw new StorageException("block " + meta.ulid() + " is closed");
    }
    return new BlockSeriesReader(this);
  }

  /**
   * Marks the samples of series matching all matchers within [mint, maxt] as deleted: adds
   * tombstones and rewrites the tombstones file and meta.json (each atomically). Returns the
   * number of series affected.
   */
  public synchronized int delete(long mint, long maxt, LabelMatcher... matchers) {
    if (closing) {
      throw new StorageException("block " + meta.ulid() + " is closed");
    }
    Map<Long, List<Interval>> add = new HashMap<>();
    Postings p = PostingsForMatchers.select(index, matchers);
    while (p.next()) {
      long id = p.at();
      IndexReader.SeriesEntry e = index.series(id);
      List<ChunkRef> cs = e.chunks();
      if (cs.isEmpty() || cs.get(0).minTime() > maxt || cs.get(cs.size() - 1).maxTime() < mint) {
        continue;
      }
      long lo = Math.max(mint, cs.get(0).minTime());
      long hi = Math.min(maxt, cs.get(cs.size() - 1).maxTime());
      add.computeIfAbsent(id, k -> new ArrayList<>()).add(new Interval(lo, hi));
    }
    if (add.isEmpty()) {
      return 0;
    }
    Tombstones next = tombstones.plus(add);
    BlockMeta m = meta;
    BlockMeta nm = m.withStats(m.numSamples(), m.numSeries(), m.numChunks(), next.count());
    try {
      next.write(io, dir);
      BlockWriter.writeMeta(io, dir, nm);
      io.syncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException("write tombstones of block " + m.ulid() + ": " + e.getMessage(), e);
    }
    tombstones = next;
    meta = nm;
    return add.size();
  }

  /**
   * Maps the block's index and chunk files afresh, so that the file pages earlier reads made
   * resident stop counting in the process's resident memory once the old mappings are released
   * (the next collection that finds them unreachable); the pages stay in the page cache, and reads
   * that run meanwhile keep their old mapping. Does nothing on a closing block.
   */
  public void releaseResidentPages() {
    if (!acquire()) {
      return;
    }
    try {
      index.releaseResidentPages();
      chunks.releaseResidentPages();
    } catch (IOException e) {
      throw new StorageException("remap block " + meta.ulid() + ": " + e.getMessage(), e);
    } finally {
      release();
    }
  }

  /**
   * Takes the pages of the block's index and chunk files that reads made resident out of the
   * process's resident set, keeping the mappings (see {@link dev.kiln.tsdb.io.ResidentPages}): the
   * pages stay in the page cache and later reads map them in again. Safe during reads; does
   * nothing on a closing block. Returns false where the JVM cannot.
   */
  public boolean dropResidentPages() {
    if (!acquire()) {
      return true;
    }
    try {
      boolean ok = index.dropResidentPages();
      return chunks.dropResidentPages() && ok;
    } finally {
      release();
    }
  }

  /** Closes now if no querier is open, otherwise when the last one closes. */
  @Override
  public synchronized void close() {
    closing = true;
    if (readers == 0) {
      unmap();
    }
  }

  @Override
  public String toString() {
    BlockMeta m = meta;
    return "block " + m.ulid() + " [" + m.minTime() + ", " + m.maxTime() + ")";
  }
}
