package dev.kiln.server.memory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdleTrimPolicyTest {
  private static final long S = 1_000_000_000L;
  private static final IdleTrimPolicy.Settings SETTINGS = new IdleTrimPolicy.Settings(3 * S, 0.05, S, 10 * S, 100);

  /** Feeds the policy one sample a second: {@code cpuPerSecond} of CPU each, and the given collection count. */
  private static final class Feed {
    final IdleTrimPolicy policy = new IdleTrimPolicy(SETTINGS);
    long now;
    long cpu;
    long gcs;

    boolean second(long cpuPerSecond) {
      now += S;
      cpu += cpuPerSecond;
      return policy.sample(now, cpu, gcs);
    }

    void trimmed(long took) {
      now += took;
      cpu += took;
      gcs++;
      policy.trimmed(now, took, cpu, gcs);
    }
  }

  @Test
  void trimsOnceAfterThreeIdleSecondsFollowingWork() {
    Feed f = new Feed();
    assertFalse(f.second(0)); // first sample only sets the baseline
    for (int i = 0; i < 5; i++) {
      assertFalse(f.second(S), "busy second " + i);
    }
    f.gcs += 3;
    assertFalse(f.second(S / 100));
    assertFalse(f.second(S / 100));
    assertTrue(f.second(S / 100), "third idle second");
    f.trimmed(S / 50);
    for (int i = 0; i < 30; i++) {
      assertFalse(f.second(0), "no work since the trim, second " + i);
    }
  }

  @Test
  void aBusySecondRestartsTheIdleCount() {
    Feed f = new Feed();
    f.second(0);
    f.second(0);
    f.second(0);
    f.gcs++;
    assertFalse(f.second(S / 10)); // 10 % of a core: busy, with a collection
    assertFalse(f.second(0));
    assertFalse(f.second(0));
    assertTrue(f.second(0));
  }

  @Test
  void withoutCollectionsCpuWorkCountsFromOneSecond() {
    Feed f = new Feed();
    f.second(0);
    for (int i = 0; i < 10; i++) {
      assertFalse(f.second(S / 25), "idle, but only " + (i + 1) * 40 + " ms of work");
    }
    // 10 idle seconds at 4 % brought 0.4 CPU s, which does not count; a busy second brings 1 s.
    assertFalse(f.second(S));
    assertFalse(f.second(0));
    assertFalse(f.second(0));
    assertTrue(f.second(0));
  }

  @Test
  void slowTrimsAreSpacedByTheirCost() {
    Feed f = new Feed();
    f.second(0);
    f.gcs++;
    f.second(S / 5);
    f.second(0);
    f.second(0);
    assertTrue(f.second(0));
    f.trimmed(S / 2); // half a second: the next one waits 50 s, and 10 CPU s of work
    f.gcs++;
    for (int i = 1; i <= 11; i++) {
      assertFalse(f.second(S), "busy second " + i);
    }
    int firstAgain = -1;
    for (int i = 12; i <= 60; i++) {
      if (f.second(0)) {
        firstAgain = i;
        break;
      }
    }
    assertTrue(firstAgain >= 49 && firstAgain <= 51, "next trim after " + firstAgain + " s");
  }

  @Test
  void fastTrimsStillWaitTheMinimumInterval() {
    Feed f = new Feed();
    f.second(0);
    f.gcs++;
    f.second(S / 5);
    f.second(0);
    f.second(0);
    assertTrue(f.second(0));
    f.trimmed(S / 1000);
    f.gcs++;
    assertFalse(f.second(S / 5));
    int firstAgain = -1;
    for (int i = 2; i <= 20; i++) {
      if (f.second(0)) {
        firstAgain = i;
        break;
      }
    }
    assertTrue(firstAgain >= 9 && firstAgain <= 11, "next trim after " + firstAgain + " s");
  }

  @Test
  void collectionsUnderASteadyLightLoadAreNoWork() {
    Feed f = new Feed();
    f.second(0);
    f.gcs++;
    f.second(S / 2);
    f.second(0);
    f.second(0);
    assertTrue(f.second(0));
    f.trimmed(S / 100);
    // A few scrape targets: 3 % of a core, a young collection every other second, for ten minutes.
    for (int i = 0; i < 600; i++) {
      if (i % 2 == 0) {
        f.gcs++;
      }
      assertFalse(f.second(S * 3 / 100), "second " + i);
    }
    // Then a burst: idle again after it, a trim.
    f.gcs++;
    assertFalse(f.second(S / 2));
    assertFalse(f.second(0));
    assertFalse(f.second(0));
    assertTrue(f.second(0));
  }

  @Test
  void trimsWaitForTwentyTimesTheirCostInTheServersCpu() {
    Feed f = new Feed();
    f.second(0);
    f.gcs++;
    f.second(S / 2);
    f.second(0);
    f.second(0);
    assertTrue(f.second(0));
    f.trimmed(S / 10); // the next one waits for 2 CPU s of work
    for (int i = 0; i < 3; i++) { // 1.5 s, busy and with collections, then idle
      f.gcs++;
      assertFalse(f.second(S / 2));
    }
    for (int i = 0; i < 30; i++) {
      assertFalse(f.second(0), "idle second " + i);
    }
    f.gcs++;
    assertFalse(f.second(S / 2)); // 2 s now
    assertFalse(f.second(0));
    assertFalse(f.second(0));
    assertTrue(f.second(0));
  }
}
