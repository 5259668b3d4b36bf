package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleTrimmerTest {
  private static final long S = 1_000_000_000L;

  /** Gauges under the test's control. */
  private static final class Gauges implements ProcessGauges {
    long now;
    long cpu;
    long gcs;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public long processCpuNanos() {
      return cpu;
    }

    @Override
    public long collections() {
      return gcs;
    }
  }

  @Test
  void runsTheStepsInOrderWhenIdleAfterWorkAndSurvivesAFailingStep() {
    Gauges g = new Gauges();
    List<String> ran = new ArrayList<>();
    boolean[] fail = {false};
    IdleTrimmer t = new IdleTrimmer(new IdleTrimPolicy(IdleTrimPolicy.Settings.DEFAULTS), g, new IdleTrimmer.Steps() {
      @Override
      public void releaseMappedPages() {
        ran.add("pages");
        if (fail[0]) {
          throw new IllegalStateException("injected");
        }
      }

      @Override
      public void collect() {
        ran.add("gc");
        g.gcs++;
      }

      @Override
      public void trimNativeHeap() {
        ran.add("malloc");
      }
    });
    try {
      assertFalse(t.poll());
      g.gcs += 5;
      g.cpu += S / 2;
      g.now += S;
      assertFalse(t.poll(), "busy");
      boolean trimmed = false;
      for (int i = 0; i < 4 && !trimmed; i++) {
        g.now += S;
        trimmed = t.poll();
      }
      assertTrue(trimmed);
      assertEquals(List.of("pages", "gc", "malloc"), ran);
      assertEquals(1, t.trims());
      fail[0] = true;
      g.now += 20 * S;
      assertFalse(t.poll());
      g.gcs++;
      g.cpu += S / 2;
      g.now += S;
      assertFalse(t.poll(), "busy");
      for (int i = 0; i < 3; i++) { // the third idle second tries to trim
        g.now += S;
        assertFalse(t.poll(), "a failing step is logged, not thrown");
      }
      assertEquals(List.of("pages", "gc", "malloc", "pages"), ran);
      assertEquals(1, t.trims());
    } finally {
      t.close();
    }
  }

  @Test
  void jvmGaugesMove() {
    ProcessGauges g = ProcessGauges.jvm();
    long t0 = g.nanoTime();
    long c0 = g.processCpuNanos();
    long x = 0;
    for (int i = 0; i < 5_000_000; i++) {
      x += Long.hashCode(x * 31 + i);
    }
    assertTrue(x != 1 && g.nanoTime() > t0 && g.processCpuNanos() >= c0);
    assertTrue(g.collections() >= 0);
  }

  @Test
  void nativeHeapTrimAnswersOrSaysItIsUnavailable() {
    NativeHeapTrim trim = new NativeHeapTrim();
    String out = trim.trim();
    if (out != null) {
      assertTrue(out.contains("Trim native heap") || out.contains("trim"), out);
    }
  }
}
