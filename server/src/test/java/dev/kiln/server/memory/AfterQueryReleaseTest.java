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
  /** Deferred checks handed to the delayer, with their delays. */
  private final List<Runnable> deferred = new ArrayList<>();
  private final List<Long> delays = new ArrayList<>();

  private void defer(Runnable task, long delayNanos) {
    deferred.add(task);
    delays.add(delayNanos);
  }

  private AfterQueryRelease release(long stepCpu) {
    return new AfterQueryRelease(() -> {
      releases++;
      cpu += stepCpu;
    }, queued::add, this::defer, () -> now, () -> cpu, 20, 0);
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
    assertEquals(List.of(1L), delays, "deferred to the end of the spacing");
    now += 1;
    r.started();
    r.ended();
    runQueued();
    assertEquals(2, releases);
  }

  @Test
  void aDeferredReleaseRunsWhenNoQueryIsRunningAtTheEndOfTheSpacing() {
    AfterQueryRelease r = release(1_000);
    r.started();
    r.ended();
    runQueued();
    now += 5_000;
    r.started();
    r.ended();
    r.started();
    r.ended();
    assertEquals(List.of(15_000L), delays, "one deferred check for the rest of the 20 000 ns");
    now += 15_000;
    deferred.remove(0).run();
    runQueued();
    assertEquals(2, releases);
  }

  @Test
  void aDeferredReleaseWaitsForTheQueryRunningThen() {
    AfterQueryRelease r = release(1_000);
    r.started();
    r.ended();
    runQueued();
    r.started();
    r.ended();
    now += 20_000;
    r.started();
    deferred.remove(0).run();
    assertEquals(0, queued.size(), "a query is running");
    r.ended();
    runQueued();
    assertEquals(2, releases);
  }

  @Test
  void aQueryEndingDuringAReleaseIsFollowedByAnother() {
    AfterQueryRelease[] r = new AfterQueryRelease[1];
    r[0] = new AfterQueryRelease(() -> {
      releases++;
      cpu += 1_000;
      if (releases == 1) {
        r[0].started();
        r[0].ended();
      }
    }, queued::add, this::defer, () -> now, () -> cpu, 20, 0);
    r[0].started();
    r[0].ended();
    runQueued();
    assertEquals(List.of(20_000L), delays);
    now += 20_000;
    deferred.remove(0).run();
    runQueued();
    assertEquals(2, releases);
  }

  @Test
  void aQuietTimeDefersTheReleaseUntilNoQueryHasRunForThatLong() {
    AfterQueryRelease r = new AfterQueryRelease(() -> releases++, queued::add, this::defer, () -> now, () -> cpu, 20, 500);
    r.started();
    r.ended();
    assertEquals(0, queued.size());
    assertEquals(List.of(500L), delays);
    now += 300;
    r.started();
    r.ended();
    now += 200;
    deferred.remove(0).run();
    assertEquals(0, queued.size(), "a query ended 200 ns ago");
    assertEquals(List.of(500L, 300L), delays, "checked again when the quiet time has passed");
    now += 300;
    deferred.remove(0).run();
    runQueued();
    assertEquals(1, releases);
  }

  @Test
  void aRejectedTaskDoesNotBlockLaterReleases() {
    boolean[] reject = {true};
    AfterQueryRelease r = new AfterQueryRelease(() -> releases++, task -> {
      if (reject[0]) {
        throw new java.util.concurrent.RejectedExecutionException("shut down");
      }
      task.run();
    }, this::defer, () -> now, () -> cpu, 20, 0);
    r.started();
    r.ended();
    reject[0] = false;
    r.started();
    r.ended();
    assertEquals(1, releases);
  }
}
