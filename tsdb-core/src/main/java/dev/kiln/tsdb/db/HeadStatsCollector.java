package dev.kiln.tsdb.db;

import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.index.MemPostings;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/** Computes {@link HeadStats} from the head's index, as Prometheus's {@code MemPostings.Stats}. */
final class HeadStatsCollector {
  private HeadStatsCollector() {}

  static HeadStats collect(Head head, int limit) {
    MemPostings postings = head.postings();
    TopK byMetric = new TopK(limit);
    TopK byPair = new TopK(limit);
    Map<String, long[]> perName = new HashMap<>(); // [distinct values, bytes]
    long[] pairs = new long[1];
    postings.forEachLabelPair(
        (name, value, count) -> {
          pairs[0]++;
          if (name.equals(Labels.METRIC_NAME)) {
            byMetric.add(value, count);
          }
          byPair.add(name + "=" + value, count);
          long[] acc = perName.computeIfAbsent(name, k -> new long[2]);
          acc[0]++;
          acc[1] += (long) value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length * count;
        });
    TopK valueCount = new TopK(limit);
    TopK memory = new TopK(limit);
    perName.forEach(
        (name, acc) -> {
          valueCount.add(name, acc[0]);
          memory.add(name, acc[1]);
        });
    return new HeadStats(
        postings.seriesCount(),
        pairs[0],
        head.chunkCount(),
        head.minTime(),
        head.maxTime(),
        byMetric.sorted(),
        valueCount.sorted(),
        memory.sorted(),
        byPair.sorted());
  }

  /** Keeps the {@code k} largest counts. */
  private static final class TopK {
    private static final Comparator<HeadStats.Stat> ORDER =
        Comparator.comparingLong(HeadStats.Stat::value).thenComparing(HeadStats.Stat::name, Comparator.reverseOrder());
    private final int k;
    private final PriorityQueue<HeadStats.Stat> heap = new PriorityQueue<>(ORDER);

    TopK(int k) {
      this.k = k;
    }

    void add(String name, long value) {
      if (k <= 0) {
        return;
      }
      if (heap.size() < k) {
        heap.add(new HeadStats.Stat(name, value));
      } else if (heap.peek().value() < value) {
        heap.poll();
        heap.add(new HeadStats.Stat(name, value));
      }
    }

    List<HeadStats.Stat> sorted() {
      List<HeadStats.Stat> out = new ArrayList<>(heap);
      out.sort(ORDER.reversed());
      return List.copyOf(out);
    }
  }
}
