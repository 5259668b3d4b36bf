package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AfterQueryReleaseTest {
  private long now = 1_000;
  private long cpu;
  private int releases;
  /** Tasks handed to the executor, run when the test says so. */
  private final List<Runnable> queued = new ArrayList<>();

  private AfterQueryRelease release(long stepCpu) {
    return new AfterQueryRelease(() -> {
      releases++;
      cpu += stepCpu;
    }, queued::add, () -> now, () -> cpu, 20);
  }

  private void runQueued() {
    List<Runnable> tasks = new ArrayList<>(queued);
    queued.clear();
    tasks.forEach(Runnable::run);
  }

  @Test
  void releasesWhenTheLastRunningQueryEnds() {
    AfterQueryRelease r = release(0);
    r.started();
    r.started();
    r.ended();
    assertEquals(0, queued.size(), "another query still runs");
    r.ended();
    assertEquals(1, queued.size());
    runQueued();
    assertEquals(1, releases);
  }

  @Test
  void neverQueuesASecondReleaseWhileOneIsPending() {
    AfterQueryRelease r = release(0);
    r.started();
    r.ended();
    r.started();
    r.ended();
    assertEquals(1, queued.size());
    runQueued();
    r.started();
    r.ended();
    assertEquals(1, queued.size(), "a step of no cost may follow at once");
  }

  @Test
  void spacesReleasesByTwentyTimesTheStepsCpuTime() {
    AfterQueryRelease r = release(1_000);
    r.started();
    r.ended();
    runQueued();
    assertEquals(1, releases);
    now += 19_999;
    r.started();
    r.ended();
    assertEquals(0, queued.size(), "within 20 x 1000 ns of the last release");
    now += 1;
    r.started();
    r.ended();
    runQueued();
    assertEquals(2, releases);
  }

  @Test
  void aRejectedTaskDoesNotBlockLaterReleases() {
    boolean[] reject = {true};
    AfterQueryRelease r = new AfterQueryRelease(() -> releases++, task -> {
      if (reject[0]) {
        throw new java.util.concurrent.RejectedExecutionException("shut down");
      }
      task.run();
    }, () -> now, () -> cpu, 20);
    r.started();
    r.ended();
    reject[0] = false;
    r.started();
    r.ended();
    assertEquals(1, releases);
  }
}
