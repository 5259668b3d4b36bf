package dev.kiln.server.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.Labels;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PendingSamplesTest {
  @Test
  void firstInFirstOutWhileGrowingUpToTheLimit() {
    PendingSamples p = new PendingSamples(4, 64);
    ArrayDeque<Long> oracle = new ArrayDeque<>();
    Random rnd = new Random(3);
    Labels l = Labels.of("__name__", "x");
    long next = 0;
    PendingSamples.Batch batch = new PendingSamples.Batch(16);
    for (int round = 0; round < 5000; round++) {
      if (rnd.nextInt(3) > 0) {
        boolean accepted = p.offer(l, next, next);
        assertEquals(oracle.size() < 64, accepted);
        if (accepted) {
          oracle.add(next);
        }
        next++;
      } else {
        p.drainTo(batch, 1 + rnd.nextInt(16));
        for (int i = 0; i < batch.size; i++) {
          long want = oracle.remove();
          assertEquals(want, batch.timestamps[i]);
          assertEquals(want, batch.values[i]);
        }
        batch.clear();
      }
      assertEquals(oracle.size(), p.size());
    }
    assertTrue(next > 64);
  }

  @Test
  void refusesBeyondTheLimit() {
    PendingSamples p = new PendingSamples(2, 3);
    Labels l = Labels.of("__name__", "x");
    assertTrue(p.offer(l, 1, 1));
    assertTrue(p.offer(l, 2, 2));
    assertTrue(p.offer(l, 3, 3));
    assertFalse(p.offer(l, 4, 4));
  }
}
