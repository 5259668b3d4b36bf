package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
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
 * Block compatibility in both directions with the installed Prometheus {@code promtool}: it lists,
 * analyzes and dumps blocks Kiln wrote, and Kiln reads the blocks it creates from OpenMetrics.
 */
class PromtoolBlockCompatibilityTest {
  @TempDir Path work;

  static final long TWO_HOURS = 7_200_000L;
  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % TWO_HOURS);

  static Path promtool() {
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

  String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(promtool().toString());
    cmd.addAll(List.of(args));
    Path err = work.resolve("promtool.err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), "promtool " + args[1] + " failed: " + Files.readString(err) + out);
    return out;
  }

  static List<String> lines(String out) {
    List<String> got = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (!l.isBlank()) {
        got.add(l);
      }
    }
    got.sort(null);
    return got;
  }

  /** Go's strconv.FormatFloat(v, 'g', -1, 64) for the values used here. */
  static String formatGo(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e21) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  @Test
  void promtoolListsAnalyzesAndDumpsKilnBlocks() throws Exception {
    promtool();
    Path data = work.resolve("data");
    Files.createDirectories(data);
    Head head = Head.inMemory();
    List<String> expected = new ArrayList<>();
    // 6 hours of 20 series at a 15 s interval: three 2h blocks.
    for (long t = BASE; t < BASE + 3 * TWO_HOURS; t += 15_000) {
      Appender a = head.appender();
      for (int s = 0; s < 20; s++) {
        Labels l = Labels.of("__name__", s % 2 == 0 ? "node_cpu_seconds_total" : "up",
            "instance", "10.0.0." + s + ":9100", "job", "node");
        long ts = t + s;
        double v = s % 2 == 0 ? (t - BASE) / 1000.0 * 0.25 + s : 1;
        a.append(0, l, ts, v);
        expected.add(l + " " + formatGo(v) + " " + ts);
      }
      a.commit();
    }
    int blocks = 0;
    for (long mint = BASE; mint < BASE + 3 * TWO_HOURS; mint += TWO_HOURS) {
      assertTrue(HeadBlockWriter.write(FileIo.DEFAULT, data, head, mint, mint + TWO_HOURS) != null);
      blocks++;
    }
    String list = run("tsdb", "list", data.toString());
    assertEquals(blocks + 1, lines(list).size(), list);
    for (Path b : Files.list(data).toList()) {
      if (!Ulid.isValid(b.getFileName().toString())) {
        continue;
      }
      String ulid = b.getFileName().toString();
      assertTrue(list.contains(ulid), list);
      String analyze = run("tsdb", "analyze", data.toString(), ulid);
      assertTrue(analyze.contains("Series: 20\n"), analyze);
      assertTrue(analyze.contains("node_cpu_seconds_total"), analyze);
    }
    Files.createDirectories(data.resolve("wal")); // dump opens the directory as a database
    expected.sort(null);
    assertEquals(expected, lines(run("tsdb", "dump", data.toString())));
  }

  @Test
  void kilnReadsBlocksPromtoolCreatedFromOpenMetrics() throws Exception {
    promtool();
    StringBuilder om = new StringBuilder();
    List<String> expected = new ArrayList<>();
    om.append("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n");
    long baseSec = BASE / 1000;
    for (int s = 0; s < 5; s++) {
      for (int i = 0; i < 600; i++) {
        long sec = baseSec + i * 30L;
        double v = i * 1.5 + s;
        om.append("http_requests_total{code=\"").append(200 + s).append("\",path=\"/api/v1/query\"} ")
            .append(formatGo(v)).append(' ').append(sec).append('\n');
        Labels l = Labels.of("__name__", "http_requests_total", "code", String.valueOf(200 + s), "path", "/api/v1/query");
        expected.add(l + " " + Double.doubleToRawLongBits(v) + " " + sec * 1000);
      }
    }
    om.append("# EOF\n");
    Path file = work.resolve("in.om");
    Files.writeString(file, om.toString());
    Path out = work.resolve("blocks");
    run("tsdb", "create-blocks-from", "openmetrics", file.toString(), out.toString());
    List<String> got = new ArrayList<>();
    int blocks = 0;
    for (Path b : Files.list(out).toList()) {
      if (!Ulid.isValid(b.getFileName().toString())) {
        continue;
      }
      blocks++;
      try (Block block = Block.open(FileIo.DEFAULT, b);
          Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
        SeriesSet set = q.select(true, null, LabelMatcher.regex("__name__", ".+"));
        while (set.next()) {
          SampleIterator it = set.at().iterator(null);
          while (it.next() == ValueType.FLOAT) {
            got.add(set.at().labels() + " " + Double.doubleToRawLongBits(it.atV()) + " " + it.atT());
          }
        }
        assertEquals(List.of("__name__", "code", "path"), q.labelNames());
      }
    }
    assertTrue(blocks >= 3, "5h of data spans at least three 2h blocks: " + blocks);
    expected.sort(null);
    got.sort(null);
    assertEquals(expected, got);
    // Kiln's writer, given the same series and meta, produces the same bytes as Prometheus.
    Path rewritten = work.resolve("rewritten");
    Files.createDirectories(rewritten);
    for (Path b : Files.list(out).toList()) {
      if (!Ulid.isValid(b.getFileName().toString())) {
        continue;
      }
      try (Block block = Block.open(FileIo.DEFAULT, b);
          BlockSeriesReader r = block.seriesReader()) {
        List<BlockSeries> series = new ArrayList<>();
        r.forEachRemaining(e -> series.add(e.series()));
        BlockWriter.write(FileIo.DEFAULT, rewritten, block.meta(), r.symbols(), series.iterator());
      }
      Path mine = rewritten.resolve(b.getFileName());
      for (String f : List.of("index", "chunks/000001", "tombstones", "meta.json")) {
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(b.resolve(f)), Files.readAllBytes(mine.resolve(f))),
            f + " of " + b.getFileName() + " differs from Prometheus's");
      }
    }
  }
}
