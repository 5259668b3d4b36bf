package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized checks of evaluation invariants on random data: an instant query at t equals
 * the point at t of a range query (step invariance of the evaluator's per-step loops), and the
 * reference {@link InMemoryStorage} and the real {@link Head} give identical results.
 */
class EngineRandomizedTest {
  private static final List<String> QUERIES = List.of(
      "m",
      "rate(m[2m])",
      "sum by (job) (rate(m[3m]))",
      "avg without (i) (m)",
      "max_over_time(m[90s]) - min_over_time(m[90s])",
      "topk(2, m)",
      "quantile by (job) (0.7, m)",
      "histogram_quantile(0.5, sum by (le) (rate(h[5m])))",
      "m > on(i) group_left(job) (m * 0 + 1)",
      "count_values(\"v\", round(m / 100))",
      "sum_over_time(rate(m[1m])[5m:30s])",
      "deriv(m[4m]) * 60",
      "changes(m[5m]) + resets(m[5m])",
      "label_replace(m, \"k\", \"$1\", \"i\", \"(.)\")",
      "absent(m{i=\"zz\"})",
      "m unless m{job=\"a\"}");

  private static void load(Random r, Appender[] apps) {
    String[] les = {"0.1", "1", "10", "+Inf"};
    for (int i = 0; i < 12; i++) {
      Labels l = Labels.of("__name__", "m", "job", i % 2 == 0 ? "a" : "b", "i", Integer.toString(i));
      double v = r.nextInt(100);
      long t = r.nextInt(15_000);
      while (t < 1_800_000) {
        v += r.nextInt(10) < 9 ? r.nextDouble() * 50 : -v;
        double value = r.nextInt(50) == 0 ? StaleNaN.VALUE : v;
        for (Appender a : apps) {
          a.append(0, l, t, value, AppendOptions.NONE);
        }
        t += 5_000 + r.nextInt(20_000);
      }
    }
    for (String le : les) {
      Labels l = Labels.of("__name__", "h", "le", le);
      double v = 0;
      for (long t = 0; t < 1_800_000; t += 15_000) {
        v += r.nextInt(5) * (le.equals("0.1") ? 1 : le.equals("1") ? 2 : 3);
        for (Appender a : apps) {
          a.append(0, l, t, v, AppendOptions.NONE);
        }
      }
    }
    for (Appender a : apps) {
      a.commit();
    }
  }

  @Test
  void instantEqualsRangeAndStoragesAgree() {
    long seed = Long.getLong("test.seed", System.nanoTime());
    Random r = new Random(seed);
    InMemoryStorage memory = new InMemoryStorage();
    Head head = Head.inMemory();
    try {
      load(r, new Appender[] {memory.appender(), head.appender()});
      Engine engine = new Engine(EngineOptions.DEFAULTS);
      int nonEmpty = 0;
      for (int round = 0; round < 40; round++) {
        String q = QUERIES.get(r.nextInt(QUERIES.size()));
        long t = 300_000 + r.nextInt(1_400_000);
        long step = 10_000 + r.nextInt(50_000);
        String where = "seed " + seed + ", query " + q + ", t " + t + ", step " + step;
        Value inst = engine.instantQuery(memory, QueryOptions.DEFAULTS, q, t).exec().value();
        Value instHead = engine.instantQuery(head, QueryOptions.DEFAULTS, q, t).exec().value();
        // Storages may return series in different orders, which changes summation order slightly.
        assertClose(points(inst), points(instHead), "storages differ: " + where);
        Matrix range = (Matrix) engine.rangeQuery(memory, QueryOptions.DEFAULTS, q, t - 3 * step, t + 2 * step, step)
            .exec().value();
        Map<Labels, Double> atT = new HashMap<>();
        for (RangeSeries s : range.series()) {
          for (int i = 0; i < s.count(); i++) {
            if (s.timestampAt(i) == t) {
              atT.put(s.labels(), s.valueAt(i));
            }
          }
        }
        Map<Labels, Double> expected = points(inst);
        if (!expected.isEmpty()) {
          nonEmpty++;
        }
        assertClose(expected, atT, "instant vs range: " + where);
      }
      assertTrue(nonEmpty > 20, "too few rounds with results (" + nonEmpty + "), seed " + seed);
    } finally {
      head.close();
    }
  }

  private static void assertClose(Map<Labels, Double> a, Map<Labels, Double> b, String where) {
    assertEquals(a.keySet(), b.keySet(), "labels: " + where);
    for (Map.Entry<Labels, Double> e : a.entrySet()) {
      double x = e.getValue();
      double y = b.get(e.getKey());
      assertTrue(FloatCompare.almostEqual(x, y, 1e-9), x + " vs " + y + " for " + e.getKey() + ": " + where);
    }
  }

  private static Map<Labels, Double> points(Value v) {
    Map<Labels, Double> out = new HashMap<>();
    if (v instanceof Vector vec) {
      for (Sample s : vec.samples()) {
        out.put(s.labels(), s.value());
      }
    }
    return out;
  }
}
