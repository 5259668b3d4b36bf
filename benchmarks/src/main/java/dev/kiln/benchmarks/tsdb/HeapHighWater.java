package dev.kiln.benchmarks.tsdb;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The Java heap's high-water marks over a phase of work, from the collector's own notifications:
 * the most heap in use just before any collection ({@link #peakUsed}, which depends on how large the
 * young generation is allowed to grow) and the most heap still live just after a collection
 * ({@link #peakLive}; after a full collection, {@link #peakLiveFull}: what the phase needs the heap to hold). Also the sum of the heap pools' own
 * peak usage ({@link #poolPeakSum}), an upper bound of the former. Thread-safe.
 */
final class HeapHighWater implements AutoCloseable {
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = (n, h) -> onGc(n.getUserData());
  private long peakUsed;
  private long peakLive;
  private long peakLiveFull;
  private int collections;
  private int fullCollections;

  HeapHighWater() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(listener,
            n -> n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION), null);
        emitters.add(e);
      }
    }
  }

  /** Starts a phase: clears the marks and the pools' peaks, and takes the heap in use now as the first mark. */
  synchronized void reset() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    peakUsed = used;
    peakLive = 0;
    peakLiveFull = 0;
    collections = 0;
    fullCollections = 0;
  }

  private synchronized void onGc(Object userData) {
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) userData);
    peakUsed = Math.max(peakUsed, sum(info.getGcInfo().getMemoryUsageBeforeGc()));
    long after = sum(info.getGcInfo().getMemoryUsageAfterGc());
    peakLive = Math.max(peakLive, after);
    collections++;
    if (info.getGcAction().contains("major")) {
      peakLiveFull = Math.max(peakLiveFull, after);
      fullCollections++;
    }
  }

  private static long sum(Map<String, MemoryUsage> pools) {
    long n = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = pools.get(p.getName());
      if (p.getType() == MemoryType.HEAP && u != null) {
        n += u.getUsed();
      }
    }
    return n;
  }

  /** Most heap in use at any point seen: before a collection, or now. */
  synchronized long peakUsed() {
    return Math.max(peakUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  /**
   * Most heap in use after any collection of the phase (0 when none ran). After a young collection
   * this includes dead objects already promoted, so it bounds the live set from above.
   */
  synchronized long peakLive() {
    return peakLive;
  }

  /** Most heap in use after a full collection of the phase: the live set at that moment (0 when none ran). */
  synchronized long peakLiveFull() {
    return peakLiveFull;
  }

  synchronized int collections() {
    return collections;
  }

  synchronized int fullCollections() {
    return fullCollections;
  }

  /** Sum over the heap pools of each pool's peak since {@link #reset}. */
  static long poolPeakSum() {
    long n = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        n += p.getPeakUsage().getUsed();
      }
    }
    return n;
  }

  /** Heap live now: after two full collections. */
  static long liveNow() throws InterruptedException {
    System.gc();
    System.gc();
    Thread.sleep(50);
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public void close() throws Exception {
    for (NotificationEmitter e : emitters) {
      e.removeNotificationListener(listener);
    }
  }
}
