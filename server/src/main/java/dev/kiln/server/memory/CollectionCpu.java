package dev.kiln.server.memory;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The CPU time, in nanoseconds, of the JVM thread that runs the serial collector's pauses (HotSpot's
 * "VM Thread"), from Linux's {@code /proc/self/task/TID/schedstat}: the cost of a collection that a
 * release asks for, which runs on that thread rather than on the caller's. Where that file cannot be
 * read, the collectors' accumulated pause time stands in (wall time: longer on a loaded machine).
 */
public final class CollectionCpu {
  private CollectionCpu() {}

  /** The best counter this JVM offers. */
  public static LongSupplier ofJvm() {
    Path stat = vmThreadSchedstat(Path.of("/proc/self/task"));
    if (stat != null && read(stat) >= 0) {
      return () -> Math.max(0, read(stat));
    }
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    return () -> {
      long ms = 0;
      for (GarbageCollectorMXBean c : collectors) {
        ms += Math.max(0, c.getCollectionTime());
      }
      return ms * 1_000_000;
    };
  }

  /** The schedstat file of the task named "VM Thread" under {@code tasks}, or null. */
  static Path vmThreadSchedstat(Path tasks) {
    try (Stream<Path> all = Files.list(tasks)) {
      return all.filter(t -> {
        try {
          return Files.readString(t.resolve("comm")).strip().equals("VM Thread");
        } catch (IOException | RuntimeException e) {
          return false;
        }
      }).map(t -> t.resolve("schedstat")).findFirst().orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The first field of a schedstat file (time on a CPU, ns), or -1. */
  static long read(Path schedstat) {
    try {
      String s = Files.readString(schedstat).strip();
      int space = s.indexOf(' ');
      return Long.parseLong(space < 0 ? s : s.substring(0, space));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
