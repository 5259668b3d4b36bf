package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.engine.conformance.ConformanceScripts;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Block;
import dev.kiln.server.differential.ConformanceWrites.Placed;
import dev.kiln.tsdb.histogram.FloatHistogram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every eval of the blocks of Prometheus's PromQL test scripts that hold native histograms, asked
 * of the real Prometheus 2.42 and of Kiln, both with {@code --enable-feature=native-histograms},
 * over the same data remote-written (1.0) to both by {@link ConformanceWrites}: integer histograms
 * where the script's counts are whole, float histograms otherwise, with the scripts' counter reset
 * hints. Blocks with custom-bucket histograms (schema -53, which 2.42 does not know) are counted
 * and left out. Each write must be taken by both or refused by both, and every answer must be
 * identical, not parsed by 2.42, or listed with the Prometheus 3.x behaviour Kiln follows in
 * {@code differential/known-differences/conformance-histograms.txt}.
 */
class ConformanceHistogramDifferentialTest {
  @TempDir static Path dir;
  private static ServerPair servers;
  private static final List<Placed> placed = new ArrayList<>();
  private static final List<String> refused = new ArrayList<>();
  private static int customBucketBlocks;
  private static int samples;
  private static int histograms;

  @BeforeAll
  static void startAndLoad() throws Exception {
    Path cfg = dir.resolve("empty.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    servers = ServerPair.start(dir, cfg, "--enable-feature=native-histograms");
    List<Block> blocks = new ArrayList<>();
    for (Block b : ConformanceScripts.blocks(Path.of(System.getProperty("promql.testdata")))) {
      if (b.skipReason() != null || !b.hasHistograms()) {
        continue;
      }
      if (customBuckets(b)) {
        customBucketBlocks++;
      } else {
        blocks.add(b);
      }
    }
    placed.addAll(ConformanceWrites.place(blocks));
    for (Placed p : placed) {
      ConformanceWrites.Sent sent = ConformanceWrites.send(p, servers.prom, servers.kil);
      samples += sent.samples();
      histograms += sent.histograms();
      refused.addAll(sent.refused());
    }
  }

  private static boolean customBuckets(Block b) {
    for (var s : b.series()) {
      for (FloatHistogram h : s.histograms()) {
        if (h != null && h.usesCustomBuckets()) {
          return true;
        }
      }
    }
    return false;
  }

  @AfterAll
  static void stop() {
    if (servers != null) {
      servers.close();
    }
  }

  @Test
  void histogramConformanceQueriesAnswerAsPrometheus() throws Exception {
    ConformanceEvals.Result r = ConformanceEvals.compare(placed, servers.prom, servers.kil);
    List<String> diffs = new ArrayList<>(refused.stream().map(s -> "write " + s).toList());
    diffs.addAll(r.differences());
    System.out.println("histogram conformance queries: " + placed.size() + " data blocks with native histograms ("
        + customBucketBlocks + " with custom buckets left out), " + samples + " samples (" + histograms + " histograms), "
        + r.compared() + " queries compared, " + r.identical() + " identical, " + r.unparsable()
        + " that 2.42 cannot parse (3.x syntax), " + r.differences().size() + " different, " + refused.size()
        + " writes refused");
    diffs.forEach(System.out::println);
    assertTrue(r.compared() > 300, "queries compared: " + r.compared());
    assertEquals(List.of(), KnownDifferences.load("conformance-histograms").unexplained(diffs));
  }
}
