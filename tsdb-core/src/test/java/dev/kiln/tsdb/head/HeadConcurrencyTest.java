package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Appenders, queriers and truncation with series garbage collection running at once: no errors,
 * and afterwards every committed sample at or after the last truncation time is present.
 */
class HeadConcurrencyTest {
  @Test
  void appendQueryAndTruncateConcurrently() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    // A wide chunk range, so only truncation (not a writer running ahead) sets the lower bound.
    Head head = new Head(new HeadOptions(1_000_000_000L, 120), new HeapChunkStore(), CommitLog.NONE);
    int writers = 2;
    int rounds = 1500;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong truncatedTo = new AtomicLong(Long.MIN_VALUE);
    // Per writer: the time of each committed round (series churn: a series lives for 50 rounds).
    java.util.concurrent.atomic.AtomicLongArray progress = new java.util.concurrent.atomic.AtomicLongArray(writers);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      final int id = w;
      threads.add(new Thread(() -> {
        Random r = new Random(seed + id);
        long[] refs = new long[10];
        try {
          for (int round = 0; round < rounds; round++) {
            long t = round * 100L;
            Appender app = head.appender();
            for (int k = 0; k < 10; k++) {
              Labels l = Labels.of("__name__", "m", "w", "" + id, "k", "" + k, "gen", "" + (round / 50));
              if (round % 50 == 0) {
                refs[k] = 0;
              }
              refs[k] = app.append(r.nextInt(5) == 0 ? 0 : refs[k], l, t, round);
            }
            app.commit();
            progress.set(id, t);
          }
        } catch (AppendException e) {
          failure.compareAndSet(null, new AssertionError("seed=" + seed + " writer " + id, e));
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
    }
    Thread truncator = new Thread(() -> {
      try {
        while (!stop.get()) {
          // Truncate behind the slowest writer, as compaction does behind the head's range.
          long slowest = Long.MAX_VALUE;
          for (int w = 0; w < writers; w++) {
            slowest = Math.min(slowest, progress.get(w));
          }
          if (slowest > 20_000) {
            long mint = slowest - 15_000;
            head.truncate(mint);
            truncatedTo.accumulateAndGet(mint, Math::max);
          }
          try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "m"));
            while (set.next()) {
              SampleIterator it = set.at().iterator(null);
              long prev = Long.MIN_VALUE;
              while (it.next() == ValueType.FLOAT) {
                if (it.atT() <= prev) {
                  throw new AssertionError("samples out of order in " + set.at().labels());
                }
                prev = it.atT();
              }
            }
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    });
    truncator.start();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    stop.set(true);
    truncator.join();
    if (failure.get() != null) {
      throw new AssertionError("seed=" + seed, failure.get());
    }
    long mint = truncatedTo.get();
    org.junit.jupiter.api.Assertions.assertTrue(mint > 0, "truncation ran while writing");
    org.junit.jupiter.api.Assertions.assertTrue(
        head.counters().seriesRemoved() > 0, "series of old generations were collected");
    // Every committed sample from the last truncation point on is there.
    long from = Math.max(mint, 0);
    for (int w = 0; w < writers; w++) {
      int expected = 0;
      for (int round = 0; round < rounds; round++) {
        if (round * 100L >= from) {
          expected += 10;
        }
      }
      int got = 0;
      try (Querier q = head.querier(from, Long.MAX_VALUE)) {
        SeriesSet set = q.select(false, null, LabelMatcher.equal("w", "" + w));
        while (set.next()) {
          SampleIterator it = set.at().iterator(null);
          while (it.next() == ValueType.FLOAT) {
            got++;
          }
        }
      }
      assertEquals(expected, got, "seed=" + seed + " writer " + w + " from " + from);
    }
  }
}
