package dev.kiln.promql.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptParserTest {
  @Test
  void seriesDescriptionsExpandAsPrometheus() {
    SeriesDescription d = SeriesDescription.parse("http_requests{job=\"api\", path=\"/a b\"} 1+2x2 _ stale -2x1 _x2 3-1x1");
    assertEquals(Labels.of("__name__", "http_requests", "job", "api", "path", "/a b"), d.labels());
    List<SequenceValue> v = d.values();
    assertEquals(11, v.size());
    assertEquals(1, v.get(0).value());
    assertEquals(5, v.get(2).value());
    assertTrue(v.get(3).omitted());
    assertTrue(StaleNaN.is(v.get(4).value()));
    assertEquals(-2, v.get(6).value());
    assertTrue(v.get(7).omitted() && v.get(8).omitted());
    assertEquals(2, v.get(10).value());
  }

  @Test
  void zeroTimesIsRepetitionNotHex() {
    assertEquals(60, SeriesDescription.parse("{} 0x59").values().size());
  }

  @Test
  void evalBlocksEndAtCommentsAndCarryExpectations() {
    String script = String.join("\n",
        "load 5m",
        "  m{a=\"1\"} 0+1x10",
        "",
        "eval instant at 10m m",
        "  expect warn regex: some .* warning",
        "  expect no_info",
        "  m{a=\"1\"} 2",
        "# a comment ends the block like an empty line",
        "eval range from 0 to 10m step 5m m",
        "  m{a=\"1\"} 0 1 2",
        "",
        "eval_fail instant at 0 m",
        "  expected_fail_message boom");
    List<ScriptCommand> cmds = ScriptParser.parse(script);
    assertEquals(4, cmds.size());
    ScriptCommand.Load load = (ScriptCommand.Load) cmds.get(0);
    assertEquals(300_000, load.intervalMillis());
    ScriptCommand.Eval instant = (ScriptCommand.Eval) cmds.get(1);
    assertEquals(600_000, instant.evalTime());
    assertEquals(1, instant.expected.size());
    assertTrue(instant.expectWarn.get(0).matches("with some odd warning inside"));
    assertTrue(instant.expectNoInfo);
    ScriptCommand.Eval range = (ScriptCommand.Eval) cmds.get(2);
    assertTrue(range.range);
    assertEquals(300_000, range.step);
    ScriptCommand.Eval fail = (ScriptCommand.Eval) cmds.get(3);
    assertTrue(fail.isFail());
    assertEquals("boom", fail.expectedFailMessage);
  }

  @Test
  void comparisonUsesRelativeToleranceAndOrder() {
    ScriptCommand.Eval ev = (ScriptCommand.Eval) ScriptParser.parse(String.join("\n",
        "eval_ordered instant at 0 m",
        "  {a=\"1\"} 1",
        "  {a=\"2\"} NaN")).get(0);
    Labels a1 = Labels.of("a", "1");
    Labels a2 = Labels.of("a", "2");
    assertNull(ResultComparator.compare(ev, new Vector(List.of(
        new Sample(a1, 0, 1.0000001), new Sample(a2, 0, Double.NaN)))));
    assertTrue(ResultComparator.compare(ev, new Vector(List.of(
        new Sample(a2, 0, Double.NaN), new Sample(a1, 0, 1)))) != null);
    assertTrue(ResultComparator.compare(ev, new Vector(List.of(new Sample(a1, 0, 1.001)))) != null);
  }

  @Test
  void matricesMustBeSortedAndComplete() {
    ScriptCommand.Eval ev = (ScriptCommand.Eval) ScriptParser.parse(String.join("\n",
        "eval range from 0 to 2m step 1m m",
        "  {a=\"1\"} 1 _ 3")).get(0);
    RangeSeries s = new RangeSeries(Labels.of("a", "1"), new long[] {0, 120_000}, new double[] {1, 3}, 2);
    assertNull(ResultComparator.compare(ev, new dev.kiln.promql.Matrix(List.of(s))));
    RangeSeries wrongTime = new RangeSeries(Labels.of("a", "1"), new long[] {0, 60_000}, new double[] {1, 3}, 2);
    assertTrue(ResultComparator.compare(ev, new dev.kiln.promql.Matrix(List.of(wrongTime))) != null);
  }
}
