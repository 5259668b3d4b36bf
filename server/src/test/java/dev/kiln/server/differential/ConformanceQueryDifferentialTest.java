package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.engine.conformance.ConformanceScripts;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Block;
import dev.kiln.promql.engine.conformance.ConformanceScripts.FloatSeries;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Query;
import dev.kiln.server.differential.RemoteWriteRequests.Series;
import dev.kiln.tsdb.model.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of Prometheus's own PromQL test scripts whose data is float samples, asked of the
 * real Prometheus 2.42 and of Kiln over the same data, remote-written to both. Each script block
 * gets its own stretch of time, far from the others (a multiple of a day, so subquery steps keep
 * their alignment), and its samples sit 1 ms before the script's grid, so no sample lies on a
 * window boundary, where 2.x (closed windows) and 3.x (left-open, which Kiln follows) differ by
 * design. Answers are compared as the dashboard test compares them; what 2.42 cannot parse (3.x
 * syntax and functions) is counted apart, and the known semantic differences are listed in
 * {@code differential/known-differences/conformance-queries.txt}.
 */
class ConformanceQueryDifferentialTest {
  private static final long DAY = 86_400_000L;
  private static final Pattern AT_NUMBER = Pattern.compile("@\\s*([-+]?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)");

  @TempDir static Path dir;
  private static ServerPair servers;
  private static ApiClient prom;
  private static ApiClient kil;
  private static final List<Block> blocks = new ArrayList<>();
  private static final List<Long> bases = new ArrayList<>();
  private static int skippedBlocks;
  private static int samples;

  @BeforeAll
  static void startAndLoad() throws Exception {
    servers = ServerPair.remoteWriteOnly(dir);
    prom = servers.prom;
    kil = servers.kil;
    long base = 100 * DAY;
    for (Block b : ConformanceScripts.blocks(Path.of(System.getProperty("promql.testdata")))) {
      if (b.skipReason() != null) {
        skippedBlocks++;
        continue;
      }
      long span = 0;
      for (FloatSeries s : b.series()) {
        if (s.timestamps().length > 0) {
          span = Math.max(span, s.timestamps()[s.timestamps().length - 1]);
        }
      }
      for (Query q : b.queries()) {
        span = Math.max(span, q.end());
      }
      blocks.add(b);
      bases.add(base);
      send(b, base);
      base += (span / DAY + 30) * DAY;
    }
  }

  /** Remote-writes a block's series at {@code base}, oldest samples first, to both servers. */
  private static void send(Block b, long base) throws Exception {
    List<Series> all = new ArrayList<>();
    for (FloatSeries s : b.series()) {
      List<String> pairs = new ArrayList<>();
      for (int i = 0; i < s.labels().size(); i++) {
        pairs.add(s.labels().name(i));
        pairs.add(s.labels().value(i));
      }
      long[] ts = new long[s.timestamps().length];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = base + s.timestamps()[i] - 1;
      }
      all.add(new Series(pairs, ts, s.values()));
      samples += ts.length;
    }
    // One request per hour of data, so neither server's head sees samples far behind its newest.
    TreeMap<Long, List<Series>> byHour = new TreeMap<>();
    for (Series s : all) {
      int from = 0;
      while (from < s.timestamps().length) {
        long hour = Math.floorDiv(s.timestamps()[from], 3_600_000L);
        int to = from;
        while (to < s.timestamps().length && Math.floorDiv(s.timestamps()[to], 3_600_000L) == hour) {
          to++;
        }
        byHour.computeIfAbsent(hour, h -> new ArrayList<>()).add(new Series(s.labelPairs(),
            java.util.Arrays.copyOfRange(s.timestamps(), from, to), java.util.Arrays.copyOfRange(s.values(), from, to)));
        from = to;
      }
    }
    for (List<Series> batch : byHour.values()) {
      byte[] body = RemoteWriteRequests.v1(batch);
      prom.postBytes("/api/v1/write", body, RemoteWriteRequests.V1_HEADERS);
      kil.postBytes("/api/v1/write", body, RemoteWriteRequests.V1_HEADERS);
    }
  }

  @AfterAll
  static void stop() {
    if (servers != null) {
      servers.close();
    }
  }

  /** The query with its absolute {@code @} times moved by the block's base. */
  static String shifted(String expr, long base) {
    Matcher m = AT_NUMBER.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      java.math.BigDecimal t = new java.math.BigDecimal(m.group(1)).add(java.math.BigDecimal.valueOf(base, 3));
      m.appendReplacement(sb, "@ " + t.toPlainString());
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String seconds(long millis) {
    return java.math.BigDecimal.valueOf(millis, 3).toPlainString();
  }

  @Test
  void conformanceQueriesAnswerAsPrometheus() throws Exception {
    int compared = 0;
    int newerThan242 = 0;
    List<String> diffs = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      long base = bases.get(i);
      for (Query q : b.queries()) {
        String expr = shifted(q.expr(), base);
        Map<String, Object> params = q.range()
            ? Map.of("query", expr, "start", seconds(base + q.start()), "end", seconds(base + q.end()), "step", seconds(q.step()))
            : Map.of("query", expr, "time", seconds(base + q.end()));
        String path = q.range() ? "/api/v1/query_range" : "/api/v1/query";
        String p = DashboardQueryDifferentialTest.answer(prom, path, params);
        String k = DashboardQueryDifferentialTest.answer(kil, path, params);
        compared++;
        if (p.equals(k)) {
          continue;
        }
        if (p.startsWith("400 bad_data") && !k.startsWith("400")) {
          // 2.42 cannot parse it: syntax or functions from after 2.42 (e.g. fill modifiers,
          // duration expressions, info(), limitk, sort_by_label).
          if (newerThan242++ < 15) {
            System.out.println("not parsed by 2.42: " + b.file() + ":" + q.line() + " " + q.expr());
          }
          continue;
        }
        diffs.add(b.file() + ":" + q.line() + " " + q.expr() + "\n  Prometheus " + cut(p) + "\n  Kiln       " + cut(k));
      }
    }
    System.out.println("conformance queries: " + blocks.size() + " data blocks (" + skippedBlocks + " skipped: native histograms or"
        + " start timestamps), " + samples + " samples, " + compared + " queries compared, " + newerThan242
        + " that 2.42 cannot parse (3.x syntax), " + diffs.size() + " different");
    diffs.forEach(System.out::println);
    assertTrue(compared > 800, "queries compared: " + compared);
    assertEquals(List.of(), KnownDifferences.load("conformance-queries").unexplained(diffs));
  }

  private static String cut(String s) {
    return s.length() > 600 ? s.substring(0, 600) + "…" : s;
  }
}
