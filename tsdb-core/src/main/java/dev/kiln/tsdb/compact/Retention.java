package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * Which blocks retention deletes, as Prometheus's {@code BeyondTimeRetention} and
 * {@code BeyondSizeRetention}: whole blocks, oldest first. Stateless.
 */
public final class Retention {
  private Retention() {}

  /**
   * @param newestFirst blocks sorted by minimum time, newest first
   * @param retentionMillis 0 disables time retention
   * @param retentionBytes 0 disables size retention
   * @param headBytes bytes of the WAL and head chunks, counted against the size limit first
   */
  public static List<Block> beyond(List<Block> newestFirst, long retentionMillis, long retentionBytes, long headBytes) {
    int cut = newestFirst.size();
    if (retentionMillis > 0 && !newestFirst.isEmpty()) {
      long newest = newestFirst.get(0).meta().maxTime();
      for (int i = 1; i < newestFirst.size(); i++) {
        if (newest - newestFirst.get(i).meta().maxTime() > retentionMillis) {
          cut = Math.min(cut, i);
          break;
        }
      }
    }
    if (retentionBytes > 0) {
      long size = headBytes;
      for (int i = 0; i < newestFirst.size(); i++) {
        size += newestFirst.get(i).sizeBytes();
        if (size > retentionBytes) {
          cut = Math.min(cut, i);
          break;
        }
      }
    }
    return new ArrayList<>(newestFirst.subList(cut, newestFirst.size()));
  }
}
