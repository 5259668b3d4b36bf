package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.engine.conformance.ConformanceScripts;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Block;
import dev.kiln.server.differential.ConformanceWrites.Placed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of Prometheus's own PromQL test scripts whose data is float samples, asked of the
 * real Prometheus 2.42 and of Kiln over the same data, remote-written to both
 * ({@link ConformanceWrites}: each block in its own stretch of time, samples 1 ms before the
 * script's grid, so no sample lies on a window boundary, where 2.x (closed windows) and 3.x
 * (left-open, which Kiln follows) differ by design). Answers are compared as the dashboard test
 * compares them ({@link ConformanceEvals}); what 2.42 cannot parse (3.x syntax and functions) is
 * counted apart, and the known semantic differences are listed in {@code
 * differential/known-differences/conformance-queries.txt}. Blocks with native histograms are
 * {@link ConformanceHistogramDifferentialTest}'s.
 */
class ConformanceQueryDifferentialTest {
  @TempDir static Path dir;
  private static ServerPair servers;
  private static final List<Placed> placed = new ArrayList<>();
  private static int skippedBlocks;
  private static int histogramBlocks;
  private static int samples;

  @BeforeAll
  static void startAndLoad() throws Exception {
    servers = ServerPair.remoteWriteOnly(dir);
    List<Block> floats = new ArrayList<>();
    for (Block b : ConformanceScripts.blocks(Path.of(System.getProperty("promql.testdata")))) {
      if (b.skipReason() != null) {
        skippedBlocks++;
      } else if (b.hasHistograms()) {
        histogramBlocks++;
      } else {
        floats.add(b);
      }
    }
    placed.addAll(ConformanceWrites.place(floats));
    for (Placed p : placed) {
      samples += ConformanceWrites.send(p, servers.prom, servers.kil).samples();
    }
  }

  @AfterAll
  static void stop() {
    if (servers != null) {
      servers.close();
    }
  }

  @Test
  void conformanceQueriesAnswerAsPrometheus() throws Exception {
    ConformanceEvals.Result r = ConformanceEvals.compare(placed, servers.prom, servers.kil);
    System.out.println("conformance queries: " + placed.size() + " data blocks (" + histogramBlocks + " with native histograms"
        + " left to the histogram test, " + skippedBlocks + " skipped: start timestamps or load_with_nhcb), " + samples
        + " samples, " + r.compared() + " queries compared, " + r.identical() + " identical, " + r.unparsable()
        + " that 2.42 cannot parse (3.x syntax), " + r.differences().size() + " different");
    r.differences().forEach(System.out::println);
    assertTrue(r.compared() > 800, "queries compared: " + r.compared());
    assertEquals(List.of(), KnownDifferences.load("conformance-queries").unexplained(r.differences()));
  }
}
