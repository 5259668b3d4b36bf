package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelSlicesTest {
  @Test
  void runsEverySliceOnceAcrossThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      ParallelSlices slices = new ParallelSlices(pool, 3);
      for (int n : new int[] {0, 1, 2, 7, 100}) {
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        slices.run(n, i -> runs.incrementAndGet(i));
        int[] once = new int[n];
        java.util.Arrays.fill(once, 1);
        int[] got = new int[n];
        for (int i = 0; i < n; i++) {
          got[i] = runs.get(i);
        }
        assertArrayEquals(once, got, "n=" + n);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A worker that never gets to its task (busy elsewhere) leaves every slice to the caller. */
  @Test
  void doesNotWaitForWorkersThatNeverStart() {
    List<Runnable> queued = new ArrayList<>();
    ParallelSlices slices = new ParallelSlices(queued::add, 2);
    int[] sum = new int[1];
    slices.run(10, i -> sum[0] += i);
    assertEquals(45, sum[0]);
    assertEquals(2, queued.size());
    // Started late, the queued tasks find nothing left to do.
    queued.forEach(Runnable::run);
    assertEquals(45, sum[0]);
  }

  @Test
  void aSlicesFailureIsThrownAfterTheOthersEnd() {
    RuntimeException boom = new IllegalStateException("boom");
    int[] ran = new int[1];
    ParallelSlices slices = new ParallelSlices(r -> { }, 1);
    RuntimeException e = assertThrows(IllegalStateException.class, () -> slices.run(5, i -> {
      ran[0]++;
      if (i == 2) {
        throw boom;
      }
    }));
    assertSame(boom, e);
    assertEquals(5, ran[0]);
  }
}
