package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import dev.kiln.tsdb.wal.CommitLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HeadTest {
  private static final Labels UP = Labels.of("__name__", "up", "job", "a");

  @Test
  void cutsChunksLikePrometheusAt15sScrapes() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    for (int i = 0; i <= 480; i++) {
      app.append(0, UP, i * 15_000L, i);
    }
    app.commit();
    List<Integer> counts = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    for (ChunkMeta m : allChunks(head)) {
      counts.add(m.chunk().numSamples());
      starts.add(m.minTime());
    }
    // A quarter into the first chunk (30 samples), the end is predicted at 2h/4 = 30m.
    assertEquals(List.of(120, 120, 120, 120, 1), counts);
    assertEquals(List.of(0L, 1_800_000L, 3_600_000L, 5_400_000L, 7_200_000L), starts);
    assertEquals(5, head.chunkCount());
  }

  @Test
  void listingSeriesAndReadingTheirChunksOneByOneMatchesReadingAllChunks() {
    Head head = Head.inMemory();
    Labels late = Labels.of("__name__", "up", "job", "late");
    Labels gone = Labels.of("__name__", "up", "job", "gone");
    Appender app = head.appender();
    for (int i = 0; i <= 480; i++) {
      app.append(0, UP, i * 15_000L, i);
      if (i >= 300) {
        app.append(0, late, i * 15_000L, -i);
      }
      if (i < 100) {
        app.append(0, gone, i * 15_000L, 2 * i);
      }
    }
    app.commit();
    long[][] ranges = {{Long.MIN_VALUE, Long.MAX_VALUE}, {0, 1_000_000}, {2_000_000, 4_000_000},
        {5_000_000, 5_000_000}, {7_200_000, 7_300_000}, {8_000_000, 9_000_000}};
    for (long[] r : ranges) {
      List<String> all = new ArrayList<>();
      head.forEachSeriesChunks(r[0], r[1], sc -> all.add(sc.labels() + " " + describe(sc.chunks())));
      List<String> oneByOne = new ArrayList<>();
      head.forEachSeriesWithChunksIn(r[0], r[1],
          (labels, ref) -> oneByOne.add(labels + " " + describe(head.chunksIn(ref, r[0], r[1]))));
      all.sort(null);
      oneByOne.sort(null);
      assertEquals(all, oneByOne, "range " + r[0] + ".." + r[1]);
    }
    List<String> early = new ArrayList<>();
    head.forEachSeriesWithChunksIn(0, 1_000_000, (labels, ref) -> early.add(labels.get("job")));
    early.sort(null);
    assertEquals(List.of("a", "gone"), early);
    assertEquals(List.of(), head.chunksIn(12_345, Long.MIN_VALUE, Long.MAX_VALUE));
  }

  private static String describe(List<ChunkMeta> chunks) {
    StringBuilder sb = new StringBuilder();
    for (ChunkMeta m : chunks) {
      sb.append('[').append(m.minTime()).append(',').append(m.maxTime()).append(':')
          .append(m.chunk().numSamples()).append(']');
    }
    return sb.toString();
  }

  /**
   * Random bit patterns take over 8 bytes a sample, so a chunk of 166 passes 1 KiB; Prometheus
   * 2.42 cuts float chunks by time and sample count only (no size cap), and so does Kiln.
   */
  @Test
  void cutsFloatChunksBySampleCountNotSizeAsPrometheus242() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    java.util.Random r = new java.util.Random(3);
    long start = 7_200_000L - 166 * 15_000L; // 166 samples before the first range boundary
    for (int i = 0; i < 166 + 240; i++) {
      app.append(0, UP, start + i * 15_000L, Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL)); // finite
    }
    app.commit();
    List<Integer> counts = new ArrayList<>();
    List<Integer> bytes = new ArrayList<>();
    for (ChunkMeta m : allChunks(head)) {
      counts.add(m.chunk().numSamples());
      bytes.add(m.chunk().bytes().length);
    }
    // The first chunk runs to the range boundary (too short a range to predict an earlier end).
    assertEquals(List.of(166, 120, 120), counts);
    assertTrue(bytes.get(0) > 1024, "chunk bytes " + bytes);
  }

  /** Every chunk of the head, series by series. */
  private static List<ChunkMeta> allChunks(Head head) {
    List<ChunkMeta> all = new ArrayList<>();
    head.forEachSeriesChunks(Long.MIN_VALUE, Long.MAX_VALUE, sc -> all.addAll(sc.chunks()));
    return all;
  }

  @Test
  void computeChunkEndTimeMatchesPrometheus() {
    assertEquals(1_800_000L, MemSeries.computeChunkEndTime(0, 435_000, 7_200_000, 4));
    // Too few samples per range to fill even one chunk: keep the range end.
    assertEquals(7_200_000L, MemSeries.computeChunkEndTime(0, 3_600_000, 7_200_000, 4));
    assertEquals(7_200_000L, MemSeries.rangeForTimestamp(0, 7_200_000));
    assertEquals(14_400_000L, MemSeries.rangeForTimestamp(7_200_000, 7_200_000));
  }

  @Test
  void rejectsOutOfOrderDuplicateAndOutOfBounds() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    app.append(0, UP, 10_000_000, 1);
    app.commit();
    Appender a2 = head.appender();
    assertEquals(
        AppendException.Reason.OUT_OF_ORDER,
        assertThrows(AppendException.class, () -> a2.append(0, UP, 9_999_999, 1)).reason());
    assertEquals(
        AppendException.Reason.DUPLICATE_SAMPLE,
        assertThrows(AppendException.class, () -> a2.append(0, UP, 10_000_000, 2)).reason());
    // The same sample again is accepted and ignored.
    a2.append(0, UP, 10_000_000, 1);
    // Older than half the chunk range (1h) behind the newest sample.
    assertEquals(
        AppendException.Reason.OUT_OF_BOUNDS,
        assertThrows(
                AppendException.class,
                () -> a2.append(0, Labels.of("__name__", "new"), 10_000_000 - 3_600_001, 1))
            .reason());
    a2.commit();
    assertEquals(1, countSamples(head, UP));
  }

  @Test
  void appendsByRefAndFallsBackToLabelsForWrongRef() {
    Head head = Head.inMemory();
    Labels other = Labels.of("__name__", "other");
    Appender app = head.appender();
    long ref = app.append(0, UP, 1, 1);
    long otherRef = app.append(0, other, 1, 1);
    assertNotEquals(ref, otherRef);
    assertEquals(ref, app.append(ref, null, 2, 2));
    // A ref that belongs to another series is ignored when labels are given.
    assertEquals(otherRef, app.append(ref, other, 2, 2));
    assertThrows(AppendException.class, () -> app.append(12345, null, 3, 3));
    app.commit();
    assertEquals(2, countSamples(head, UP));
    assertEquals(2, countSamples(head, other));
  }

  @Test
  void rollbackDiscardsAndLeavesNoVisibleSeries() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    app.append(0, UP, 1, 1);
    app.rollback();
    try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      assertEquals(List.of(), q.labelNames());
      assertEquals(false, q.select(false, null, LabelMatcher.regex("__name__", ".+")).next());
    }
    // A rolled-back, never-committed series is collected by the next truncation.
    assertEquals(1, head.truncate(0));
    assertEquals(0, head.numSeries());
  }

  @Test
  void truncateDropsOldChunksAndCollectsIdleSeries() {
    Head head = new Head(new HeadOptions(1000, 120), new HeapChunkStore(), CommitLog.NONE);
    Labels idle = Labels.of("__name__", "idle");
    Appender app = head.appender();
    for (int t = 0; t < 5000; t += 100) {
      app.append(0, UP, t, t);
      if (t < 1500) {
        app.append(0, idle, t, t);
      }
    }
    app.commit();
    assertEquals(2, head.numSeries());
    assertEquals(1, head.truncate(3000));
    assertEquals(1, head.numSeries());
    assertTrue(head.minTime() >= 3000, "min time " + head.minTime());
    try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      assertEquals(List.of("up"), q.labelValues("__name__"));
    }
    // Chunks are cut at 1s boundaries, so exactly the samples from 3000 on remain.
    assertEquals(20, countSamples(head, UP));
    Appender late = head.appender();
    assertEquals(
        AppendException.Reason.OUT_OF_BOUNDS,
        assertThrows(AppendException.class, () -> late.append(0, idle, 2999, 1)).reason());
  }

  @Test
  void queriersSeeWholeCommitsOnly() throws Exception {
    Head head = Head.inMemory();
    int writers = 2;
    int commits = 2000;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Labels a = Labels.of("__name__", "a", "w", "" + w);
      Labels b = Labels.of("__name__", "b", "w", "" + w);
      threads.add(
          new Thread(
              () -> {
                for (int i = 1; i <= commits; i++) {
                  Appender app = head.appender();
                  app.append(0, a, i, i);
                  app.append(0, b, i, i);
                  app.commit();
                }
              }));
    }
    Thread reader =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  for (int w = 0; w < writers; w++) {
                    int ca = countSamples(head, Labels.of("__name__", "a", "w", "" + w));
                    int cb = countSamples(head, Labels.of("__name__", "b", "w", "" + w));
                    // b is read after a, so it may have more samples but never fewer.
                    if (cb < ca) {
                      throw new AssertionError("torn commit: a=" + ca + " b=" + cb);
                    }
                  }
                  try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                    SeriesSet set = q.select(false, null, LabelMatcher.equal("w", "0"));
                    List<Integer> counts = new ArrayList<>();
                    while (set.next()) {
                      counts.add(count(set.at().iterator(null)));
                    }
                    if (counts.size() == 2 && !counts.get(0).equals(counts.get(1))) {
                      throw new AssertionError("torn commit within one select: " + counts);
                    }
                  }
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    reader.start();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    stop.set(true);
    reader.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(commits, countSamples(head, Labels.of("__name__", "b", "w", "1")));
  }

  static int countSamples(Head head, Labels l) {
    List<LabelMatcher> ms = new ArrayList<>();
    l.forEach((n, v) -> ms.add(LabelMatcher.equal(n, v)));
    try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, ms.toArray(new LabelMatcher[0]));
      int total = 0;
      while (set.next()) {
        if (set.at().labels().equals(l)) {
          total += count(set.at().iterator(null));
        }
      }
      return total;
    }
  }

  static int count(SampleIterator it) {
    int n = 0;
    while (it.next() == ValueType.FLOAT) {
      n++;
    }
    return n;
  }

  @Test
  void refsAreCheckedAgainstLabelsAndBatchArraysAreReused() {
    Head head = Head.inMemory();
    Labels other = Labels.of("__name__", "up", "job", "b");
    Appender app = head.appender();
    long upRef = app.append(0, UP, 1000, 1);
    long otherRef = app.append(0, other, 1000, 2);
    app.commit();
    for (int round = 0; round < 3; round++) {
      app = head.appender();
      long t = 2000 + round * 1000;
      // An equal but distinct label set: matched by content once, then by identity.
      assertEquals(upRef, app.append(upRef, Labels.of("__name__", "up", "job", "a"), t, 3));
      // A wrong ref with labels: the labels win, every time.
      assertEquals(otherRef, app.append(upRef, other, t, 4));
      for (int i = 0; i < 100; i++) {
        app.append(0, Labels.of("__name__", "many", "i", Integer.toString(i)), t, i);
      }
      if (round == 1) {
        app.rollback();
      } else {
        app.commit();
      }
    }
    assertEquals(List.of(1.0, 3.0, 3.0), values(head, "a"));
    assertEquals(List.of(2.0, 4.0, 4.0), values(head, "b"));
  }

  private static List<Double> values(Head head, String job) {
    List<Double> out = new ArrayList<>();
    try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("job", job));
      while (set.next()) {
        SampleIterator it = set.at().iterator(null);
        while (it.next() != ValueType.NONE) {
          out.add(it.atV());
        }
      }
    }
    return out;
  }
}
