package dev.kiln.tsdb.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads this process's resident memory of the mappings of one file from {@code /proc/self/smaps} (Linux). */
public final class Smaps {
  private Smaps() {}

  /** Whether this system has {@code /proc/self/smaps}. */
  public static boolean present() {
    return Files.isReadable(Path.of("/proc/self/smaps"));
  }

  /** Resident KiB of all mappings of {@code file}. */
  public static long residentKib(Path file) throws IOException {
    String name = file.toAbsolutePath().toString();
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    long kib = 0;
    boolean in = false;
    for (String l : lines) {
      if (!l.isEmpty() && Character.digit(l.charAt(0), 16) >= 0 && l.indexOf('-') > 0 && l.indexOf(' ') > l.indexOf('-')) {
        in = l.endsWith(" " + name);
      } else if (in && l.startsWith("Rss:")) {
        kib += Long.parseLong(l.replaceAll("\\D", ""));
      }
    }
    return kib;
  }
}
