package dev.kiln.promql.engine;

import java.util.concurrent.CountDownLatch;

/** Waiting on the latches that join a query's parallel work. */
final class Latches {
  private Latches() {}

  /**
   * Waits until {@code latch} reaches zero, whatever interrupts arrive meanwhile (the work being
   * joined uses buffers of the waiting thread, so it must be over before that thread goes on);
   * an interrupt is restored on the thread afterwards.
   */
  static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
