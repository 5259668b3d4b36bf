package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures write-ahead log replay: writes {@code series} × {@code samples} samples through a
 * {@link Db} (one commit per 100k samples), closes it, and times reopening (replay into the
 * head). Run: {@code java -Xmx4g -cp benchmarks.jar dev.kiln.benchmarks.tsdb.WalReplayReport
 * [series] [samples]}.
 */
public final class WalReplayReport {
  private WalReplayReport() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    Path dir = Files.createTempDirectory("kiln-replay-report");
    try {
      List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(series / 220 + 1, 9);
      long[] refs = new long[series];
      long start = System.nanoTime();
      try (Db db = Db.open(dir, DbOptions.defaults())) {
        long t = 1_700_000_000_000L;
        for (int s = 0; s < samples; s++) {
          t += 15_000;
          for (int from = 0; from < series; from += 100_000) {
            Appender app = db.appender();
            for (int i = from; i < Math.min(series, from + 100_000); i++) {
              Labels l = refs[i] == 0 ? specs.get(i).labels() : null;
              refs[i] = app.append(refs[i], l, t, s * 2.5 + (i & 1023));
            }
            app.commit();
          }
        }
      }
      double writeSecs = (System.nanoTime() - start) / 1e9;
      long walBytes;
      try (var st = Files.walk(dir.resolve("wal"))) {
        walBytes = st.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      long open = System.nanoTime();
      try (Db db = Db.open(dir, DbOptions.defaults())) {
        double replaySecs = (System.nanoTime() - open) / 1e9;
        System.out.printf(
            "series=%d samples/series=%d write=%.1fs wal=%d MiB replay=%.1fs (%.2f M samples/s) head series=%d%n",
            series, samples, writeSecs, walBytes >> 20, replaySecs,
            (double) series * samples / replaySecs / 1e6, db.head().numSeries());
      }
    } finally {
      try (var st = Files.walk(dir)) {
        st.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
