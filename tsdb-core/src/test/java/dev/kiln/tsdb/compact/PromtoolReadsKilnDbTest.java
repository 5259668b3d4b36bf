package dev.kiln.tsdb.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
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
 * A Kiln data directory with compacted blocks plus a head is read by Prometheus's
 * {@code promtool}: list and analyze accept it, and dump prints exactly the ingested samples.
 */
class PromtoolReadsKilnDbTest {
  @TempDir Path work;

  private String promtool(String... args) throws Exception {
    Path exe = null;
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, "promtool"))) {
        exe = Path.of(d, "promtool");
      }
    }
    if (exe == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("promtool not found on PATH; .ci/install-peers installs the Debian prometheus package");
      }
      Assumptions.abort("promtool not installed");
    }
    List<String> cmd = new ArrayList<>(List.of(exe.toString()));
    cmd.addAll(List.of(args));
    Path err = work.resolve("err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), "promtool " + args[1] + ": " + Files.readString(err));
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * A data directory whose blocks Prometheus's code wrote (promtool backfill) opens as a Kiln
   * database as-is, and overlapping Kiln data is merged with it on reads and by compaction.
   */
  @Test
  void kilnOpensDataDirectoryWithPrometheusBlocks() throws Exception {
    long h = 3_600_000L;
    long base = 1_700_000_000_000L - (1_700_000_000_000L % (18 * h));
    StringBuilder om = new StringBuilder("# TYPE up gauge\n");
    dev.kiln.tsdb.memory.InMemoryStorage oracle = new dev.kiln.tsdb.memory.InMemoryStorage();
    Appender o = oracle.appender();
    for (long t = base; t < base + 5 * h; t += 60_000) {
      om.append("up{instance=\"a\",job=\"prom\"} 1 ").append(t / 1000).append('\n');
      o.append(0, Labels.of("__name__", "up", "instance", "a", "job", "prom"), t, 1);
    }
    o.commit();
    om.append("# EOF\n");
    Files.writeString(work.resolve("in.om"), om.toString());
    Path dir = work.resolve("prom-data");
    promtool("tsdb", "create-blocks-from", "openmetrics", work.resolve("in.om").toString(), dir.toString());
    dev.kiln.tsdb.model.LabelMatcher all = dev.kiln.tsdb.model.LabelMatcher.regex("__name__", ".+");
    try (Db db = Db.open(dir, DbOptions.builder().compactionIntervalMillis(0).build())) {
      assertTrue(db.blocks().size() >= 3, db.blocks().toString());
      assertTrue(db.corruptedBlocks().isEmpty(), db.corruptedBlocks().toString());
      dev.kiln.tsdb.head.StorageAssertions.assertSameView(oracle, db, base, base + 5 * h, "prometheus blocks", all);
      // Kiln writes an overlapping block with a second series and a duplicate of one sample.
      dev.kiln.tsdb.head.Head extra = dev.kiln.tsdb.head.Head.inMemory();
      Appender a = extra.appender();
      Appender b = oracle.appender();
      for (long t = base + h; t < base + 2 * h; t += 60_000) {
        a.append(0, Labels.of("__name__", "up", "instance", "b", "job", "prom"), t, 0);
        b.append(0, Labels.of("__name__", "up", "instance", "b", "job", "prom"), t, 0);
      }
      a.append(0, Labels.of("__name__", "up", "instance", "a", "job", "prom"), base + h, 1);
      a.commit();
      b.commit();
      HeadBlockWriter.write(dev.kiln.tsdb.io.FileIo.DEFAULT, dir, extra, base + h, base + 2 * h);
    }
    try (Db db = Db.open(dir, DbOptions.builder().compactionIntervalMillis(0).build())) {
      dev.kiln.tsdb.head.StorageAssertions.assertSameView(oracle, db, base, base + 5 * h, "overlap merged on read", all);
      db.compact();
      List<Block> blocks = db.blocks();
      for (int i = 1; i < blocks.size(); i++) {
        assertTrue(blocks.get(i).meta().minTime() >= blocks.get(i - 1).meta().maxTime(), "no overlaps left: " + blocks);
      }
      dev.kiln.tsdb.head.StorageAssertions.assertSameView(oracle, db, base, base + 5 * h, "overlap compacted", all);
    }
  }

  @Test
  void promtoolReadsCompactedKilnDatabase() throws Exception {
    Path dir = work.resolve("data");
    List<String> expected = new ArrayList<>();
    long h = 3_600_000L;
    long base = 1_700_000_000_000L - (1_700_000_000_000L % (18 * h)); // aligned to every level
    List<String> ulids = new ArrayList<>();
    try (Db db = Db.open(dir, DbOptions.builder().compactionIntervalMillis(0).build())) {
      for (long t = base; t < base + 11 * h; t += 60_000) {
        Appender a = db.appender();
        for (int s = 0; s < 4; s++) {
          Labels l = Labels.of("__name__", "node_network_receive_bytes_total", "device", "eth" + s, "instance", "n1");
          long v = (t - base) / 1000 * (s + 1);
          a.append(0, l, t, v);
          expected.add(l + " " + v + " " + t);
        }
        a.commit();
      }
      db.compact();
      assertTrue(db.blocks().size() >= 2, db.blocks().toString());
      assertTrue(db.blocks().stream().anyMatch(b -> b.meta().level() == 2), db.blocks().toString());
      for (Block b : db.blocks()) {
        ulids.add(b.meta().ulid().toString());
      }
    }
    String list = promtool("tsdb", "list", dir.toString());
    for (String u : ulids) {
      assertTrue(list.contains(u), list);
      String analyze = promtool("tsdb", "analyze", dir.toString(), u);
      assertTrue(analyze.contains("Series: 4\n"), analyze);
    }
    List<String> got = new ArrayList<>();
    for (String l : promtool("tsdb", "dump", dir.toString()).split("\n")) {
      if (!l.isBlank()) {
        got.add(l);
      }
    }
    expected.sort(null);
    got.sort(null);
    assertEquals(expected, got);
  }
}
