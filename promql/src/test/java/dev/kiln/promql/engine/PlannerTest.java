package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.ParseException;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private static Plan read(String q) {
    return PlanParser.DEFAULT.parse(q, 30_000, 3_600_000);
  }

  private static String error(String q) {
    return assertThrows(ParseException.class, () -> read(q)).getMessage();
  }

  @Test
  void powerIsRightAssociativeAndBindsTighterThanUnaryMinus() {
    Plan.Binary pow = (Plan.Binary) read("2 ^ 3 ^ 2");
    assertInstanceOf(Plan.Binary.class, pow.rhs());
    Plan.Negate neg = (Plan.Negate) read("-x ^ 2");
    assertInstanceOf(Plan.Binary.class, neg.expr());
    Plan.Binary sum = (Plan.Binary) read("a + b * c");
    assertEquals(dev.kiln.promql.ast.BinaryOp.ADD, sum.op());
    Plan.Binary or = (Plan.Binary) read("a and b or c unless d");
    assertEquals(dev.kiln.promql.ast.BinaryOp.OR, or.op());
  }

  @Test
  void selectorsCarryModifiers() {
    Plan.RangeSelector rs = (Plan.RangeSelector) read("http_requests_total{job=~\"api|web\"}[5m] offset -1h @ 100");
    assertEquals(300_000, rs.rangeMillis());
    assertEquals(-3_600_000, rs.selector().offsetMillis());
    assertEquals(100_000, rs.selector().at().timeMillis());
    assertEquals(2, rs.selector().matchers().size());
    Plan.Subquery sq = (Plan.Subquery) read("rate(x[1m])[1h:] @ end()");
    assertEquals(0, sq.stepMillis());
    assertEquals(Plan.AtKind.END, sq.at().kind());
  }

  @Test
  void durationExpressionsUseTheQueryStepAndRange() {
    Plan.RangeSelector rs = (Plan.RangeSelector) ((Plan.Call) read("rate(x[step() * 2 + 1m])")).args().get(0);
    assertEquals(120_000, rs.rangeMillis());
    Plan.Selector s = (Plan.Selector) read("x offset range()");
    assertEquals(3_600_000, s.offsetMillis());
  }

  @Test
  void numbersAndStrings() {
    assertEquals(0x1f, ((Plan.NumberLiteral) read("0x1f")).value());
    assertEquals(90, ((Plan.NumberLiteral) read("1m30s")).value());
    assertTrue(Double.isInfinite(((Plan.NumberLiteral) read("-Inf")).value()));
    assertEquals("a\n\u00e9", ((Plan.StringLiteral) read("\"a\\n\\u00e9\"")).value());
    assertEquals("raw\\n", ((Plan.StringLiteral) read("`raw\\n`")).value());
  }

  @Test
  void typeErrorsReadLikePrometheus() {
    assertEquals("1:6: parse error: expected type range vector in call to function \"rate\", got instant vector",
        error("rate(x)"));
    assertEquals("1:1: parse error: unknown function with name \"nope\"", error("nope(x)"));
    assertEquals("1:1: parse error: vector selector must contain at least one non-empty matcher",
        error("{job=~\".*\"}"));
    assertTrue(error("1 > 2").contains("comparisons between scalars must use BOOL modifier"));
    assertTrue(error("sum(x").contains("unexpected end of input"));
    assertTrue(error("x[5m] + 1").contains("binary expression must contain only scalar and instant vector types"));
    assertTrue(error("foo{__name__=\"bar\"}").contains("metric name must not be set twice"));
  }

  @Test
  void dashboardStyleQueries() {
    Plan.Aggregate a = (Plan.Aggregate) read("SUM BY (job) (rate(http_requests_total{code=~\"5..\"}[5m]))");
    assertEquals(dev.kiln.promql.ast.AggregateOp.SUM, a.op());
    assertEquals(java.util.List.of("job"), a.grouping());
    Plan.Aggregate b = (Plan.Aggregate) read("sum(\n  rate(x[1m]) # per second\n) without (instance)");
    assertTrue(b.without());
    Plan.Binary c = (Plan.Binary) read("x / on(instance) group_left(nodename) node_uname_info");
    assertEquals(dev.kiln.promql.ast.VectorMatching.Cardinality.MANY_TO_ONE, c.matching().card());
    assertEquals(java.util.List.of("nodename"), c.matching().include());
    Plan.Call d = (Plan.Call) read("clamp_min(x, -1)");
    assertEquals(-1.0, ((Plan.NumberLiteral) d.args().get(1)).value());
    assertTrue(error("rate(x[$__rate_interval])").contains("parse error"));
  }
}
