package dev.kiln.tsdb.block;

import java.util.List;

/**
 * The content of a block's {@code meta.json} (Prometheus {@code tsdb/block.go} BlockMeta, version
 * 1). Times are milliseconds; {@code maxTime} is exclusive (one past the newest sample). Immutable.
 *
 * @param level compaction level: 1 for a block cut from the head, +1 per compaction
 * @param sources ULIDs of the level-1 blocks this block was made from
 * @param parents the blocks directly compacted into this one (empty for level 1)
 * @param deletable true when the block was compacted into an empty result and may be removed
 */
public record BlockMeta(
    Ulid ulid,
    long minTime,
    long maxTime,
    long numSamples,
    long numSeries,
    long numChunks,
    long numTombstones,
    int level,
    List<Ulid> sources,
    List<Parent> parents,
    boolean deletable) {

  /** A parent block: its ULID and time range. */
  public record Parent(Ulid ulid, long minTime, long maxTime) {}

  public BlockMeta {
    sources = List.copyOf(sources);
    parents = List.copyOf(parents);
  }

  /** True when the block's range [minTime, maxTime) overlaps [mint, maxt] (inclusive). */
  public boolean overlapsClosed(long mint, long maxt) {
    return minTime <= maxt && mint < maxTime;
  }

  /** The same meta with other statistics. */
  public BlockMeta withStats(long samples, long series, long chunks, long tombstones) {
    return new BlockMeta(ulid, minTime, maxTime, samples, series, chunks, tombstones, level, sources, parents, deletable);
  }
}
