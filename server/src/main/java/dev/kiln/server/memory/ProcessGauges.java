package dev.kiln.server.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** The process figures {@link IdleTrimmer} polls. Implementations are thread-safe. */
public interface ProcessGauges {
  /** A monotonic clock, in nanoseconds. */
  long nanoTime();

  /** CPU time the process has used so far, in nanoseconds (user and system). */
  long processCpuNanos();

  /** Garbage collections so far, of all collectors. */
  long collections();

  /** This JVM's figures; the CPU time is 0 where the platform does not report it. */
  static ProcessGauges jvm() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    com.sun.management.OperatingSystemMXBean sun =
        os instanceof com.sun.management.OperatingSystemMXBean s ? s : null;
    java.util.List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    return new ProcessGauges() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long processCpuNanos() {
        return sun == null ? 0 : Math.max(0, sun.getProcessCpuTime());
      }

      @Override
      public long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : gcs) {
          n += Math.max(0, gc.getCollectionCount());
        }
        return n;
      }
    };
  }
}
