package dev.kiln.tsdb.db;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Durability;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process of {@link KillNineDurabilityTest}: ingests deterministic batches into a Db and
 * prints {@code ACK <batch>} after each {@code commit()} returned, until killed. Arguments: the
 * directory, the first batch, optionally the WAL sync interval in milliseconds (0: fsync every
 * commit) and optionally the durability each commit asks for (a {@link Durability} name; default
 * {@code SYNCED}).
 */
public final class CrashIngester {
  static final int SERIES = 200;

  private CrashIngester() {}

  static DbOptions options() {
    return options(0);
  }

  static DbOptions options(long walSyncIntervalMillis) {
    return DbOptions.builder().walSegmentBytes(64 * 1024).headChunkFileBytes(64 * 1024)
        .walSyncIntervalMillis(walSyncIntervalMillis).build();
  }

  static Labels labels(int series) {
    return Labels.of("__name__", "crash_test", "series", Integer.toString(series));
  }

  /** Number of samples in a batch. */
  static int size(long batch) {
    return 1 + (int) Math.floorMod(mix(batch) , 40L);
  }

  static int seriesOf(long batch, int j) {
    return (int) Math.floorMod(batch * 13 + j, (long) SERIES);
  }

  static long timestamp(long batch) {
    return 1_000_000L + batch * 1000;
  }

  static double value(long batch, int series) {
    long m = mix(batch * 1_000_003 + series);
    if ((m & 15) == 0) {
      return StaleNaN.VALUE;
    }
    return Double.longBitsToDouble(m);
  }

  static long mix(long x) {
    x += 0x9E3779B97F4A7C15L;
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long batch = Long.parseLong(args[1]);
    PrintStream out = System.out;
    long syncInterval = args.length > 2 ? Long.parseLong(args[2]) : 0;
    Durability durability = args.length > 3 ? Durability.valueOf(args[3]) : Durability.SYNCED;
    Db db = Db.open(dir, options(syncInterval));
    out.println("READY");
    out.flush();
    while (true) {
      Appender app = db.appender();
      for (int j = 0; j < size(batch); j++) {
        int s = seriesOf(batch, j);
        app.append(0, labels(s), timestamp(batch), value(batch, s));
      }
      app.commit(durability);
      out.println("ACK " + batch);
      out.flush();
      if (batch % 50 == 0) {
        db.head().truncate(0); // checkpoints the log without dropping anything
      }
      batch++;
    }
  }
}
