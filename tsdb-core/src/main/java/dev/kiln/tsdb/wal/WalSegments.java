package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names and lists write-ahead log files as Prometheus does: segments {@code 00000000},
 * {@code 00000001}, ... and checkpoint directories {@code checkpoint.00000042} holding segments of
 * their own. Stateless.
 */
public final class WalSegments {
  /** Page size: fragments never cross a page. */
  public static final int PAGE_SIZE = 32 * 1024;
  /** Fragment header: type (1), length (2, big-endian), CRC32C (4, big-endian). */
  public static final int HEADER_SIZE = 7;

  static final int FULL = 1;
  static final int FIRST = 2;
  static final int MIDDLE = 3;
  static final int LAST = 4;
  static final int SNAPPY_FLAG = 1 << 3;
  static final int ZSTD_FLAG = 1 << 4;

  private static final String CHECKPOINT_PREFIX = "checkpoint.";

  private WalSegments() {}

  public static String segmentName(int index) {
    return String.format("%08d", index);
  }

  public static String checkpointName(int index) {
    return CHECKPOINT_PREFIX + String.format("%08d", index);
  }

  /** A segment file and its index. */
  public record Segment(int index, Path path) {}

  /** Segments in the directory, by index (gaps are allowed; callers check continuity). */
  public static List<Segment> list(FileIo io, Path dir) throws IOException {
    List<Segment> out = new ArrayList<>();
    for (Path p : io.list(dir)) {
      String name = p.getFileName().toString();
      if (name.length() == 8 && name.chars().allMatch(Character::isDigit)) {
        out.add(new Segment(Integer.parseInt(name), p));
      }
    }
    out.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return out;
  }

  /** Completed checkpoint directories, by index (temporary ones are skipped). */
  public static List<Segment> checkpoints(FileIo io, Path dir) throws IOException {
    List<Segment> out = new ArrayList<>();
    for (Path p : io.list(dir)) {
      String name = p.getFileName().toString();
      if (name.startsWith(CHECKPOINT_PREFIX)
          && name.length() == CHECKPOINT_PREFIX.length() + 8
          && name.substring(CHECKPOINT_PREFIX.length()).chars().allMatch(Character::isDigit)) {
        out.add(new Segment(Integer.parseInt(name.substring(CHECKPOINT_PREFIX.length())), p));
      }
    }
    out.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return out;
  }

  /** Leftover temporary checkpoint directories (from a crash during checkpointing). */
  public static List<Path> temporaryCheckpoints(FileIo io, Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : io.list(dir)) {
      String name = p.getFileName().toString();
      if (name.startsWith(CHECKPOINT_PREFIX) && name.endsWith(".tmp")) {
        out.add(p);
      }
    }
    return out;
  }
}
