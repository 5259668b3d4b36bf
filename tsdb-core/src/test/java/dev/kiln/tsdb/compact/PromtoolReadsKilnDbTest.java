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
