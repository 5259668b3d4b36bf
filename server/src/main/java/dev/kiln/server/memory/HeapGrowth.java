package dev.kiln.server.memory;

import java.util.function.LongSupplier;

/**
 * Whether the committed Java heap has grown enough since the last shrinking collection for another
 * one to be worth its pause: more than {@code factor} times what that collection left committed plus
 * {@code marginBytes}. Before any shrink, the heap committed at construction (the JVM's initial heap)
 * is the reference. Thread-safe.
 */
public final class HeapGrowth {
  private final LongSupplier committed;
  private final double factor;
  private final long marginBytes;
  private volatile long afterShrink;

  /**
   * @param committed the heap's committed bytes now
   * @param factor growth factor over the size after the last shrink (at least 1)
   * @param marginBytes growth in bytes that never counts
   */
  public HeapGrowth(LongSupplier committed, double factor, long marginBytes) {
    if (factor < 1 || marginBytes < 0) {
      throw new IllegalArgumentException("factor " + factor + ", margin " + marginBytes);
    }
    this.committed = committed;
    this.factor = factor;
    this.marginBytes = marginBytes;
    this.afterShrink = committed.getAsLong();
  }

  /** Kiln's choice: a shrink once the heap has grown by more than 25 % plus 8 MiB (docs/operations.md). */
  public static HeapGrowth ofJvm() {
    java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    return new HeapGrowth(() -> memory.getHeapMemoryUsage().getCommitted(), 1.25, 8L << 20);
  }

  /** True when the heap has grown past the threshold since the last {@link #shrunk()}. */
  public boolean grown() {
    return committed.getAsLong() > afterShrink * factor + marginBytes;
  }

  /** A shrinking collection just ran: what is committed now is the new reference. */
  public void shrunk() {
    afterShrink = committed.getAsLong();
  }
}
