package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.Interval;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.SeriesChunks;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.wal.Wal;
import dev.kiln.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent-block side of a database directory: opens its blocks, merges them with the
 * head for reads, cuts head ranges into blocks, compacts blocks by level, applies retention,
 * deletes series with tombstones, and writes snapshots.
 *
 * <p>Crash safety: a block is written to a temporary directory and renamed; the head is
 * truncated (and the WAL checkpointed) only after the block is in place, and on start-up the head
 * drops replayed samples older than the newest block's end, so a crash at any point leaves the
 * old or the new state. Compacted parents are deleted only after their child exists.
 *
 * <p>Thread-safe: compaction, deletion and snapshots are serialised; queriers see an immutable
 * snapshot of the block list.
 */
public final class DbBlocks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DbBlocks.class);

  private final FileIo io;
  private final Path dir;
  private final Head head;
  private final Wal wal;
  private final BlockOptions options;
  private final BlockStore store;
  private final CompactionPlanner planner;
  private final HeadTombstones headTombstones = new HeadTombstones();
  private final List<WalRecords.Tombstone> replayedTombstones = new ArrayList<>();
  private final java.util.concurrent.atomic.LongAdder compactions = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder compactionsFailed = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder timeRetentions = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sizeRetentions = new java.util.concurrent.atomic.LongAdder();

  /** Activity counters for self-monitoring, under Prometheus's metric meanings. */
  public record Counters(long compactions, long compactionsFailed, long timeRetentions, long sizeRetentions) {}

  public Counters counters() {
    return new Counters(compactions.sum(), compactionsFailed.sum(), timeRetentions.sum(), sizeRetentions.sum());
  }

  /** Total bytes of the open blocks. */
  public long blocksBytes() {
    long n = 0;
    for (Block b : store.blocks()) {
      n += b.sizeBytes();
    }
    return n;
  }

  /** @param wal the head's write-ahead log, or null when it has none */
  public DbBlocks(FileIo io, Path dir, Head head, Wal wal, BlockOptions options) {
    this.io = io;
    this.dir = dir;
    this.head = head;
    this.wal = wal;
    this.options = options;
    this.store = new BlockStore(io, dir);
    this.planner = new CompactionPlanner(
        CompactionPlanner.exponentialRanges(options.minBlockMillis(), options.maxBlockMillis()));
  }

  /** Opens the directory's blocks (corrupt ones are skipped and reported). */
  public void open() {
    store.reload();
  }

  /** Collects a tombstone record found while replaying the WAL. */
  public synchronized void replayedTombstone(WalRecords.Tombstone t) {
    replayedTombstones.add(t);
  }

  /**
   * After WAL replay: drops head samples already persisted in blocks (a crash between writing a
   * block and truncating the head) and applies replayed tombstones.
   */
  public synchronized void afterReplay() {
    long blocksMax = store.maxTime();
    if (blocksMax != Long.MIN_VALUE && head.minTime() < blocksMax && head.minTime() != Long.MAX_VALUE) {
      LOG.info("head data before {} is already in blocks; truncating the head", blocksMax);
      head.truncate(blocksMax);
    }
    if (!replayedTombstones.isEmpty()) {
      Map<Long, Labels> byRef = new HashMap<>();
      head.forEachSeriesWithChunksIn(Long.MIN_VALUE, Long.MAX_VALUE, (l, ref) -> byRef.put(ref, l));
      for (WalRecords.Tombstone t : replayedTombstones) {
        Labels l = byRef.get(t.ref());
        if (l != null) {
          headTombstones.add(l, new Interval(t.mint(), t.maxt()));
        }
      }
      replayedTombstones.clear();
    }
  }

  public BlockStore store() {
    return store;
  }

  /** Open blocks sorted by minimum time. */
  public List<Block> blocks() {
    return store.blocks();
  }

  /** A querier over the blocks overlapping [mint, maxt] and the head. */
  public Querier querier(long mint, long maxt) {
    for (int attempt = 0; ; attempt++) {
      List<Querier> qs = new ArrayList<>();
      try {
        for (Block b : store.blocks()) {
          if (b.meta().overlapsClosed(mint, maxt)) {
            qs.add(b.querier(mint, maxt));
          }
        }
        qs.add(0, headTombstones.filter(head.querier(mint, maxt)));
        return new MergeQuerier(qs);
      } catch (StorageException e) {
        // A block was replaced by compaction or retention between listing and opening: retry.
        new MergeQuerier(qs).close();
        if (attempt >= 3) {
          throw e;
        }
      }
    }
  }

  private boolean headCompactable() {
    long min = head.minTime();
    long max = head.maxTime();
    if (min == Long.MAX_VALUE || max == Long.MIN_VALUE) {
      return false;
    }
    return max - min > options.minBlockMillis() / 2 * 3;
  }

  /**
   * Runs one round of maintenance: writes head ranges as blocks while the head spans more than
   * 1.5 block ranges (then truncates the head and checkpoints the WAL), compacts blocks by level,
   * and applies retention. Returns the number of blocks written.
   */
  public synchronized int compact() {
    try {
      return compactOnce();
    } catch (RuntimeException e) {
      compactionsFailed.increment();
      throw e;
    }
  }

  private int compactOnce() {
    int written = 0;
    try {
      while (headCompactable()) {
        long range = options.minBlockMillis();
        long mint = head.minTime();
        long maxt = Math.floorDiv(mint, range) * range + range;
        BlockMeta m = HeadBlockWriter.write(io, dir, head, mint, maxt, headTombstones);
        compactions.increment();
        if (m != null) {
          written++;
          LOG.info("head compacted into block {} [{}, {}): series={} samples={}",
              m.ulid(), mint, maxt, m.numSeries(), m.numSamples());
        }
        store.reload();
        head.truncate(maxt);
        headTombstones.dropBefore(maxt);
      }
      while (true) {
        List<Block> blocks = store.blocks();
        List<BlockMeta> plan = planner.plan(blocks.stream().map(Block::meta).toList());
        if (plan.isEmpty()) {
          break;
        }
        List<Block> chosen = new ArrayList<>();
        for (BlockMeta pm : plan) {
          for (Block b : blocks) {
            if (b.meta().ulid().equals(pm.ulid())) {
              chosen.add(b);
            }
          }
        }
        BlockMeta m = BlockCompactor.compact(io, dir, chosen);
        compactions.increment();
        if (m != null) {
          written++;
          LOG.info("compacted {} blocks into {} (level {})", chosen.size(), m.ulid(), m.level());
        }
        store.reload();
      }
    } catch (IOException e) {
      throw new StorageException("compact " + dir + ": " + e.getMessage(), e);
    }
    applyRetention();
    return written;
  }

  /** Deletes whole blocks beyond the time or size retention, oldest first. */
  public synchronized void applyRetention() {
    List<Block> newestFirst = new ArrayList<>(store.blocks());
    java.util.Collections.reverse(newestFirst);
    List<Block> byTime = Retention.beyond(newestFirst, options.retentionMillis(), 0, 0);
    List<Block> doomed = Retention.beyond(newestFirst, options.retentionMillis(), options.retentionBytes(), headBytes());
    if (!byTime.isEmpty()) {
      timeRetentions.increment();
    }
    if (doomed.size() > byTime.size()) {
      sizeRetentions.increment();
    }
    if (!doomed.isEmpty()) {
      LOG.info("retention deletes {} blocks", doomed.size());
      store.delete(doomed);
    }
  }

  private long headBytes() {
    return dirSize(io, dir.resolve("wal")) + dirSize(io, dir.resolve("chunks_head"));
  }

  /** The total size of the files under {@code p}, best effort (unreadable entries count 0). */
  static long dirSize(FileIo io, Path p) {
    if (!io.isDirectory(p)) {
      try {
        return io.exists(p) ? io.size(p) : 0;
      } catch (IOException e) {
        return 0;
      }
    }
    long total = 0;
    try {
      for (Path child : io.list(p)) {
        total += dirSize(io, child);
      }
    } catch (IOException e) {
      // sizes are best effort
    }
    return total;
  }

  /**
   * Deletes the samples of series matching all matchers in [mint, maxt]: tombstones in every
   * overlapping block and, for the head, in memory and in the WAL. Returns the series affected.
   */
  public synchronized int deleteSeries(long mint, long maxt, LabelMatcher... matchers) {
    int n = 0;
    for (Block b : store.blocks()) {
      if (b.meta().overlapsClosed(mint, maxt)) {
        n += b.delete(mint, maxt, matchers);
      }
    }
    List<WalRecords.Tombstone> stones = new ArrayList<>();
    List<SeriesChunks> hits = new ArrayList<>();
    head.forEachSeriesChunks(mint, maxt, sc -> {
      for (LabelMatcher m : matchers) {
        if (!m.matches(sc.labels())) {
          return;
        }
      }
      hits.add(sc);
    });
    for (SeriesChunks sc : hits) {
      stones.add(new WalRecords.Tombstone(sc.ref(), mint, maxt));
    }
    if (wal != null && !stones.isEmpty()) {
      wal.logTombstones(stones);
    }
    for (SeriesChunks sc : hits) {
      headTombstones.add(sc.labels(), new Interval(mint, maxt));
    }
    return n + hits.size();
  }

  /** Rewrites every block that has tombstones without the deleted data. */
  public synchronized void cleanTombstones() {
    try {
      for (Block b : store.blocks()) {
        if (!b.tombstones().isEmpty()) {
          BlockMeta m = BlockCompactor.compact(io, dir, List.of(b));
          LOG.info("block {} rewritten without tombstones as {}", b.meta().ulid(), m == null ? "nothing" : m.ulid());
          store.reload();
        }
      }
    } catch (IOException e) {
      throw new StorageException("clean tombstones in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a snapshot into {@code target}: hard links of every block's files and, when asked,
   * the head's data written as one more block.
   */
  public synchronized void snapshot(Path target, boolean withHead) {
    try {
      io.createDirectories(target);
      for (Block b : store.blocks()) {
        linkTree(io, b.dir(), target.resolve(b.dir().getFileName()));
      }
      if (withHead && head.minTime() != Long.MAX_VALUE) {
        HeadBlockWriter.write(io, target, head, head.minTime(), head.maxTime() + 1, headTombstones);
      }
    } catch (IOException e) {
      throw new StorageException("snapshot into " + target + ": " + e.getMessage(), e);
    }
  }

  private static void linkTree(FileIo io, Path from, Path to) throws IOException {
    io.createDirectories(to);
    for (Path p : io.list(from)) {
      Path dst = to.resolve(p.getFileName());
      if (io.isDirectory(p)) {
        linkTree(io, p, dst);
      } else {
        io.createLink(dst, p);
      }
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
