package dev.kiln.server.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full collection after which the heap keeps little free space: for the length of one {@code
 * System.gc()} it lowers the JVM's {@code MinHeapFreeRatio} and {@code MaxHeapFreeRatio} (both
 * manageable at run time) to at most {@code minFree} and {@code maxFree} percent, then puts back the
 * values it found. The serial and parallel collectors size the heap after a full collection from those
 * ratios, so the heap shrinks to about the live set divided by (1 - {@code maxFree}/100); the
 * collector's other full collections keep the ratios the JVM was started with, which spares a server
 * whose heap is growing the extra collections that small ratios would cost. With the serial collector
 * the shrink happens in one step only under {@code -XX:-ShrinkHeapInSteps} (the launcher's default);
 * otherwise it is spread over four full collections. Thread-safe; where the ratios cannot be changed
 * (another JVM), it collects without them and logs that once.
 */
public final class ShrinkingCollection {
  private static final Logger LOG = LoggerFactory.getLogger(ShrinkingCollection.class);
  private final int minFree;
  private final int maxFree;
  private volatile boolean ratiosUnavailable;

  /** Kiln's choice: at most 10 % and 30 % free after a trim (docs/operations.md). */
  public static ShrinkingCollection defaults() {
    return new ShrinkingCollection(10, 30);
  }

  public ShrinkingCollection(int minFree, int maxFree) {
    if (minFree < 0 || maxFree < minFree || maxFree > 100) {
      throw new IllegalArgumentException("free ratios " + minFree + "/" + maxFree);
    }
    this.minFree = minFree;
    this.maxFree = maxFree;
  }

  /** Collects fully with the low ratios in place. */
  public synchronized void collect() {
    HotSpotDiagnosticMXBean hs = ratiosUnavailable ? null : bean();
    if (hs == null) {
      System.gc();
      return;
    }
    int min;
    int max;
    try {
      min = Integer.parseInt(hs.getVMOption("MinHeapFreeRatio").getValue());
      max = Integer.parseInt(hs.getVMOption("MaxHeapFreeRatio").getValue());
    } catch (RuntimeException e) {
      unavailable(e);
      System.gc();
      return;
    }
    try {
      // Min never above Max at any moment: lower Min first, and raise Max first when restoring.
      hs.setVMOption("MinHeapFreeRatio", Integer.toString(Math.min(min, minFree)));
      hs.setVMOption("MaxHeapFreeRatio", Integer.toString(Math.min(max, maxFree)));
      System.gc();
    } catch (RuntimeException e) {
      unavailable(e);
      System.gc();
    } finally {
      try {
        hs.setVMOption("MaxHeapFreeRatio", Integer.toString(max));
        hs.setVMOption("MinHeapFreeRatio", Integer.toString(min));
      } catch (RuntimeException e) {
        LOG.warn("cannot restore the heap free ratios {}/{}: {}", min, max, e.toString());
      }
    }
  }

  private static HotSpotDiagnosticMXBean bean() {
    try {
      return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  private void unavailable(RuntimeException e) {
    if (!ratiosUnavailable) {
      ratiosUnavailable = true;
      LOG.info("heap free ratios cannot be changed at run time ({}); idle trims collect with the JVM's", e.toString());
    }
  }
}
