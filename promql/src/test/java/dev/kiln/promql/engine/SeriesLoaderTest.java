package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SeriesLoader} visits every series in selection order with its kernel result, surfaces a
 * series' storage failure when its turn comes, and never leaves a worker reading after it returns,
 * even when the visitor throws while the next batch is being decoded.
 */
class SeriesLoaderTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  /** Iterators between their first seek and their exhaustion. */
  private final AtomicInteger reading = new AtomicInteger();

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  @Test
  void visitsInOrderWithKernelResults() {
    int n = SeriesLoader.BATCH * 3 + 5;
    List<Integer> seen = new ArrayList<>();
    new SeriesLoader(pool, 2).forEach(set(n, -1), 0, 1000, false, false, new SampleBuffer(), control(),
        () -> (s, buf) -> buf.count * 1000 + Integer.parseInt(s.labels().get("i")),
        (Series s, SampleBuffer buf, Integer r) -> {
          int i = Integer.parseInt(s.labels().get("i"));
          assertEquals(i % 7 + 1, buf.count, "samples of series " + i);
          assertEquals(Integer.valueOf(buf.count * 1000 + i), r, "kernel result of series " + i);
          seen.add(i);
        });
    assertEquals(n, seen.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i, seen.get(i));
    }
    assertEquals(0, reading.get());
  }

  @Test
  void storageFailureComesAtItsSeriesAfterTheOnesBefore() {
    int failing = SeriesLoader.BATCH + 9;
    List<Integer> seen = new ArrayList<>();
    StorageException e = assertThrows(StorageException.class, () ->
        new SeriesLoader(pool, 2).forEach(set(SeriesLoader.BATCH * 3, failing), 0, 1000, false, false,
            new SampleBuffer(), control(), (s, buf) -> seen.add(Integer.parseInt(s.labels().get("i")))));
    assertEquals("injected failure in series " + failing, e.getMessage());
    assertEquals(failing, seen.size());
  }

  @Test
  void visitorFailureWaitsForTheWorkers() {
    RuntimeException boom = new RuntimeException("visitor failed");
    int[] visited = {0};
    RuntimeException e = assertThrows(RuntimeException.class, () ->
        new SeriesLoader(pool, 2).forEach(set(SeriesLoader.BATCH * 4, -1), 0, 1000, false, false,
            new SampleBuffer(), control(), (s, buf) -> {
              if (++visited[0] == 3) {
                throw boom;
              }
            }));
    assertSame(boom, e);
    assertEquals(0, reading.get(), "a worker was still reading after forEach returned");
  }

  /**
   * Worker tasks that never get a thread (here: queued and not run until the end) leave every
   * series to the query's thread, which does not wait for them; run late, they touch nothing.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120) // guards against a hang, which is the failure mode
  void doesNotWaitForWorkersThatNeverStart() {
    List<Runnable> queued = new ArrayList<>();
    int n = SeriesLoader.BATCH * 3 + 5;
    List<Integer> seen = new ArrayList<>();
    new SeriesLoader(queued::add, 2).forEach(set(n, -1), 0, 1000, false, false, new SampleBuffer(), control(),
        () -> (s, buf) -> buf.count, (Series s, SampleBuffer buf, Integer r) -> {
          assertEquals(Integer.valueOf(buf.count), r);
          seen.add(Integer.parseInt(s.labels().get("i")));
        });
    assertEquals(n, seen.size());
    assertEquals(true, queued.size() > 2, "no worker task was handed out: " + queued.size());
    queued.forEach(Runnable::run);
    assertEquals(0, reading.get(), "a late worker task read a series");
  }

  @Test
  void shortSpansAreReadOnTheQueryThreadAndLongOnesOnTheWorkers() {
    int n = SeriesLoader.BATCH * 3;
    for (long span : new long[] {999, 1000, 5000}) {
      List<Runnable> queued = new ArrayList<>();
      List<Integer> seen = new ArrayList<>();
      new SeriesLoader(queued::add, 2, 1000).forEach(set(n, -1), 0, span, false, false, new SampleBuffer(), control(),
          () -> (s, buf) -> buf.count, (Series s, SampleBuffer buf, Integer r) -> {
            // Sequential reads leave the series to the visitor: no kernel result.
            assertEquals(span < 1000 ? null : Integer.valueOf(buf.count), r);
            seen.add(Integer.parseInt(s.labels().get("i")));
          });
      List<Integer> want = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        want.add(i);
      }
      assertEquals(want, seen, "span " + span);
      assertEquals(span < 1000, queued.isEmpty(), "span " + span + ": " + queued.size() + " tasks");
      queued.forEach(Runnable::run);
    }
  }

  private static QueryControl control() {
    return new QueryControl(0, 0);
  }

  /** n series; series i has i % 7 + 1 samples; series {@code failing} throws while being read. */
  private SeriesSet set(int n, int failing) {
    return new SeriesSet() {
      int i = -1;

      @Override
      public boolean next() {
        return ++i < n;
      }

      @Override
      public Series at() {
        int id = i;
        return new Series() {
          @Override
          public Labels labels() {
            return Labels.of("i", Integer.toString(id));
          }

          @Override
          public SampleIterator iterator(SampleIterator reuse) {
            return new Samples(id, id % 7 + 1, id == failing);
          }
        };
      }
    };
  }

  private final class Samples implements SampleIterator {
    private final int id;
    private final int count;
    private final boolean fail;
    private int at = -1;

    Samples(int id, int count, boolean fail) {
      this.id = id;
      this.count = count;
      this.fail = fail;
    }

    @Override
    public ValueType next() {
      if (at == -1) {
        reading.incrementAndGet();
      }
      if (fail) {
        reading.decrementAndGet();
        throw new StorageException("injected failure in series " + id);
      }
      if (++at >= count) {
        reading.decrementAndGet();
        return ValueType.NONE;
      }
      return ValueType.FLOAT;
    }

    @Override
    public ValueType seek(long t) {
      return next();
    }

    @Override
    public long atT() {
      return at * 10L;
    }

    @Override
    public double atV() {
      return id;
    }
  }
}
