package dev.kiln.server.differential;

import dev.kiln.promql.engine.conformance.ConformanceScripts.Block;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Query;
import dev.kiln.server.differential.ConformanceWrites.Placed;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the real Prometheus 2.42 and Kiln every eval of placed conformance blocks, instant and
 * range, with absolute {@code @} times moved by each block's base, and sorts the answers into
 * identical, not parsed by 2.42 (3.x syntax and functions), and different.
 */
final class ConformanceEvals {
  private static final Pattern AT_NUMBER = Pattern.compile("@\\s*([-+]?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)");

  /** The outcome: evals asked, identical answers, ones 2.42 could not parse, and each difference. */
  record Result(int compared, int identical, int unparsable, List<String> differences) {}

  private ConformanceEvals() {}

  static Result compare(List<Placed> placed, ApiClient prom, ApiClient kil) throws Exception {
    int compared = 0;
    int identical = 0;
    int newerThan242 = 0;
    List<String> diffs = new ArrayList<>();
    for (Placed pl : placed) {
      Block b = pl.block();
      long base = pl.base();
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
          identical++;
          continue;
        }
        if (p.startsWith("400 bad_data") && !k.startsWith("400")) {
          // 2.42 cannot parse it: syntax or functions from after 2.42 (e.g. fill modifiers,
          // duration expressions, info(), limitk, histogram_avg).
          if (newerThan242++ < 15) {
            System.out.println("not parsed by 2.42: " + b.file() + ":" + q.line() + " " + q.expr());
          }
          continue;
        }
        diffs.add(b.file() + ":" + q.line() + " " + q.expr() + "\n  Prometheus " + cut(p) + "\n  Kiln       " + cut(k));
      }
    }
    return new Result(compared, identical, newerThan242, diffs);
  }

  /** The query with its absolute {@code @} times moved by the block's base. */
  static String shifted(String expr, long base) {
    Matcher m = AT_NUMBER.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      BigDecimal t = new BigDecimal(m.group(1)).add(BigDecimal.valueOf(base, 3));
      m.appendReplacement(sb, "@ " + t.toPlainString());
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String seconds(long millis) {
    return BigDecimal.valueOf(millis, 3).toPlainString();
  }

  private static String cut(String s) {
    return s.length() > 600 ? s.substring(0, 600) + "…" : s;
  }
}
