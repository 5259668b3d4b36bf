package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import dev.kiln.tsdb.wal.WalRecords;
import dev.kiln.tsdb.wal.WalWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus reads what Kiln writes: Kiln data directories are dumped with the installed
 * {@code promtool tsdb dump}, which opens them with Prometheus's own TSDB code.
 */
class PromtoolReadsKilnTest {
  @TempDir Path work;

  private static Path promtool() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(d, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("promtool not found on PATH; .ci/install-peers installs the Debian prometheus package");
    }
    Assumptions.abort("promtool not installed");
    return null;
  }

  private static final long BASE = 1_700_000_000_000L;

  /** Writes 3 series × 300 samples; returns the dump lines promtool should print. */
  private static List<String> ingest(Db db) {
    List<String> expected = new ArrayList<>();
    for (int s = 0; s < 300; s++) {
      Appender app = db.appender();
      for (int i = 0; i < 3; i++) {
        Labels l = Labels.of("__name__", "kiln_test", "series", "s" + i);
        long t = BASE + s * 15_000L + (s % 7 == 0 ? 3 : 0);
        double v = i == 2 ? s * 0.25 : i * 1000 + s;
        app.append(0, l, t, v);
        expected.add(line(l, t, v));
      }
      app.commit();
    }
    return expected;
  }

  private static String line(Labels l, long t, double v) {
    return l + " " + formatGo(v) + " " + t;
  }

  private List<String> dump(Path dir) throws Exception {
    Process p = new ProcessBuilder(List.of(promtool().toString(), "tsdb", "dump", dir.toString()))
        .redirectError(work.resolve("promtool.err").toFile())
        .start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), "promtool failed: " + Files.readString(work.resolve("promtool.err")));
    List<String> got = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (!l.isBlank()) {
        got.add(l);
      }
    }
    got.sort(null);
    return got;
  }

  @Test
  void promtoolDumpsEverySampleKilnWrote() throws Exception {
    promtool();
    Path dir = work.resolve("data");
    List<String> expected;
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      expected = ingest(db);
    }
    expected.sort(null);
    assertEquals(expected, dump(dir));
  }

  /**
   * With a WAL that holds only the series records, the samples Prometheus finds can only come
   * from Kiln's memory-mapped head chunk files: proves their format, refs and checksums.
   */
  @Test
  void promtoolReadsKilnHeadChunkFiles() throws Exception {
    promtool();
    Path dir = work.resolve("chunks-only");
    List<String> expected = new ArrayList<>();
    List<WalRecords.SeriesRecord> series = new ArrayList<>();
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      ingest(db);
      db.head().forEachSeriesChunks(Long.MIN_VALUE, Long.MAX_VALUE, sc -> {
        series.add(new WalRecords.SeriesRecord(sc.ref(), sc.labels()));
        List<ChunkMeta> chunks = sc.chunks();
        for (ChunkMeta m : chunks.subList(0, chunks.size() - 1)) { // all but the open chunk
          SampleIterator it = m.chunk().iterator(null);
          while (it.next() == ValueType.FLOAT) {
            expected.add(line(sc.labels(), it.atT(), it.atV()));
          }
        }
      });
    }
    assertTrue(expected.size() > 300, "chunks were cut and mapped: " + expected.size());
    FileIo.DEFAULT.deleteRecursively(dir.resolve("wal"));
    try (WalWriter w = new WalWriter(FileIo.DEFAULT, dir.resolve("wal"), 0, 1 << 20)) {
      w.sync(w.log(WalRecords.encodeSeries(series)));
    }
    expected.sort(null);
    assertEquals(expected, dump(dir));
  }

  /** Go's strconv.FormatFloat(v, 'g', -1, 64) for the values used here. */
  private static String formatGo(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e21) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
