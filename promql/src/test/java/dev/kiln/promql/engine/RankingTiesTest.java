package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which of several equal values {@code topk} and {@code bottomk} keep. The input is the selection in
 * label order; the heap replaces its root with a larger (smaller) value and sifts it down
 * (Prometheus 3.x {@code heap.Fix}). Prometheus 2.42 pops the root and pushes the new sample
 * instead, which leaves a different one of the tied values at the root: for {@code 1, 1, 1, 5, 5}
 * and k = 3 it keeps the second series, 3.x and Kiln the third.
 */
class RankingTiesTest {
  private static final String[] NAMES = {"a", "b", "c", "d", "e"};

  @Test
  void topkKeepsTheTiedValueThatTheHeapFixLeaves() {
    InMemoryStorage s = storage(1, 1, 1, 5, 5);
    assertEquals(List.of("d", "e", "c"), instant(s, "topk(3, v)"));
  }

  @Test
  void bottomkMirrorsTopk() {
    InMemoryStorage s = storage(5, 5, 5, 1, 1);
    assertEquals(List.of("d", "e", "c"), instant(s, "bottomk(3, v)"));
  }

  @Test
  void equalValuesKeepTheFirstSeriesInLabelOrder() {
    InMemoryStorage s = storage(2, 3, 2, 2, 1);
    // topk: the heap holds a=2 and b=3; c and d do not beat its root (2), so a stays.
    assertEquals(List.of("b", "a"), instant(s, "topk(2, v)"));
    // bottomk: c replaces b at the root and a sifts up over it, so e later replaces c, not a
    // (2.42's pop and push leave c at the root instead and answer e, c).
    assertEquals(List.of("e", "a"), instant(s, "bottomk(2, v)"));
  }

  @Test
  void rangeQueriesResolveTiesAlikeAtEveryStep() {
    InMemoryStorage s = storage(1, 1, 1, 5, 5);
    Matrix m = (Matrix) new Engine(EngineOptions.DEFAULTS)
        .rangeQuery(s, QueryOptions.DEFAULTS, "topk(3, v)", 60_000, 240_000, 60_000).exec().value();
    List<String> kept = new ArrayList<>();
    for (RangeSeries r : m.series()) {
      assertEquals(4, r.count(), r.labels().toString());
      kept.add(r.labels().get("s"));
    }
    assertEquals(List.of("c", "d", "e"), kept.stream().sorted().toList());
  }

  /** Series v{s="a".."e"} with the given values, constant from 0 to 5 minutes at 15 s. */
  private static InMemoryStorage storage(double... values) {
    InMemoryStorage s = new InMemoryStorage();
    for (long t = 0; t <= 300_000; t += 15_000) {
      Appender a = s.appender();
      for (int i = 0; i < values.length; i++) {
        a.append(0, Labels.of("__name__", "v", "s", NAMES[i]), t, values[i], AppendOptions.NONE);
      }
      a.commit();
    }
    return s;
  }

  private static List<String> instant(InMemoryStorage s, String q) {
    Vector v = (Vector) new Engine(EngineOptions.DEFAULTS).instantQuery(s, QueryOptions.DEFAULTS, q, 60_000).exec().value();
    List<String> out = new ArrayList<>();
    for (Sample x : v.samples()) {
      out.add(x.labels().get("s"));
    }
    return out;
  }
}
