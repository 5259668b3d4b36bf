package dev.kiln.tsdb.db;

import dev.kiln.tsdb.block.BlockMeta;
import java.util.List;

/**
 * One persistent block as its {@code meta.json} describes it, for status pages and the admin
 * API. Times are milliseconds; {@code maxTime} is exclusive. Immutable.
 *
 * @param ulid the block's ULID (its directory name)
 * @param level compaction level: 1 for a block cut from the head, +1 per compaction
 * @param sources ULIDs of the level-1 blocks this block was made from
 */
public record BlockInfo(
    String ulid,
    long minTime,
    long maxTime,
    long numSamples,
    long numSeries,
    long numChunks,
    int level,
    List<String> sources) {

  public BlockInfo {
    sources = List.copyOf(sources);
  }

  static BlockInfo of(BlockMeta m) {
    return new BlockInfo(m.ulid().toString(), m.minTime(), m.maxTime(), m.numSamples(), m.numSeries(), m.numChunks(),
        m.level(), m.sources().stream().map(Object::toString).toList());
  }
}
