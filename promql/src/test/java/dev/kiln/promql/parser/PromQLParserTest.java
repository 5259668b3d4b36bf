package dev.kiln.promql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.promql.ast.AtModifier;
import dev.kiln.promql.ast.BinaryOp;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.PositionRange;
import dev.kiln.promql.ast.ValueType;
import dev.kiln.promql.ast.VectorMatching;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromQLParserTest {
  private static Expr parse(String q) {
    return PromQLParser.parse(q);
  }

  private static String error(String q) {
    return assertThrows(ParseException.class, () -> parse(q)).getMessage();
  }

  @Test
  void precedenceAndAssociativityFollowPrometheus() {
    assertEquals("(2 ^ (3 ^ 2))", shape(parse("2 ^ 3 ^ 2")));
    assertEquals("((1 - 2) - 3)", shape(parse("1 - 2 - 3")));
    assertEquals("(a + (b * c))", shape(parse("a + b * c")));
    assertEquals("(-(x ^ 2))", shape(parse("-x ^ 2")));
    assertEquals("((-x) * 2)", shape(parse("-x * 2")));
    assertEquals("((a and b) or (c unless d))", shape(parse("a and b or c unless d")));
    assertEquals("((a > 1) == (b atan2 c))", shape(parse("a > bool 1 == bool b atan2 c")));
    assertEquals("(x offset 5m + 1)", shape(parse("x offset 5m + 1")));
    assertTrue(error("-x[5m:]").contains("unary expression only allowed on expressions of type scalar or instant vector"));
  }

  /** Prints the tree with every binary and unary node in parentheses, without modifiers. */
  private static String shape(Expr e) {
    if (e instanceof Expr.BinaryExpr b) {
      return "(" + shape(b.lhs()) + " " + b.op().symbol() + " " + shape(b.rhs()) + ")";
    }
    if (e instanceof Expr.UnaryExpr u) {
      return "(" + u.op().symbol() + shape(u.expr()) + ")";
    }
    return e.toString();
  }

  @Test
  void selectorsWithAllMatcherTypesAndModifiers() {
    Expr.MatrixSelector m = (Expr.MatrixSelector) parse(
        "http_requests_total{job=\"api\", code!=\"200\", path=~\"/v1/.*\", method!~'GET|HEAD',}[5m] offset -1h @ 100");
    Expr.VectorSelector v = m.selector();
    assertEquals("http_requests_total", v.name());
    assertEquals(List.of(LabelMatcher.equal("__name__", "http_requests_total"), LabelMatcher.equal("job", "api"),
        LabelMatcher.of(LabelMatcher.Type.NOT_EQUAL, "code", "200"),
        LabelMatcher.of(LabelMatcher.Type.REGEX, "path", "/v1/.*"),
        LabelMatcher.of(LabelMatcher.Type.NOT_REGEX, "method", "GET|HEAD")), v.matchers());
    assertEquals(-3600, v.offset().seconds(0, 0));
    assertEquals(AtModifier.at(100_000), v.at());
    assertEquals(300, m.range().seconds(0, 0));
    assertEquals(ValueType.MATRIX, m.type());

    Expr.VectorSelector byName = (Expr.VectorSelector) parse("{__name__=~\"node_.*\", job=\"node\"}");
    assertNull(byName.name());
    Expr.VectorSelector quoted = (Expr.VectorSelector) parse("{\"service.requests\", \"http.status\"=\"500\"}");
    assertEquals("service.requests", quoted.name());
    assertEquals(LabelMatcher.equal("http.status", "500"), quoted.matchers().get(1));
    assertEquals(AtModifier.START, ((Expr.VectorSelector) parse("x @ start()")).at());
    assertEquals(AtModifier.END, ((Expr.SubqueryExpr) parse("rate(x[1m])[1h:] @ end()")).at());
  }

  @Test
  void keywordsAreCaseInsensitiveAndMayNameMetricsAndLabels() {
    Expr.AggregateExpr a = (Expr.AggregateExpr) parse("SUM BY (job) (x) ");
    assertEquals(AggregateOp.SUM, a.op());
    assertEquals(List.of("job"), a.grouping());
    assertInstanceOf(Expr.VectorSelector.class, parse("offset"));
    assertInstanceOf(Expr.VectorSelector.class, parse("by{on=\"x\", bool=\"y\"}"));
    assertEquals(List.of("on", "bool", "group_left"),
        ((Expr.AggregateExpr) parse("sum without (on, bool, group_left) (x)")).grouping());
    assertEquals("x offset 5m", parse("x OFFSET 5m").toString());
    assertEquals("job:rate5m:sum", ((Expr.VectorSelector) parse("job:rate5m:sum")).name());
  }

  @Test
  void aggregationsTakeGroupingBeforeOrAfterTheirArguments() {
    assertEquals(parse("sum by (a) (x)").toString(), parse("sum(x) by (a)").toString());
    Expr.AggregateExpr t = (Expr.AggregateExpr) parse("topk without (instance) (3, x)");
    assertEquals(3.0, ((Expr.NumberLiteral) t.param()).value());
    assertTrue(t.without());
    Expr.AggregateExpr cv = (Expr.AggregateExpr) parse("count_values(\"v\", x)");
    assertEquals("v", ((Expr.StringLiteral) cv.param()).value());
    for (String op : List.of("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar")) {
      assertInstanceOf(Expr.AggregateExpr.class, parse(op + "(x)"));
    }
    for (String op : List.of("topk", "bottomk", "quantile", "limitk", "limit_ratio")) {
      assertInstanceOf(Expr.AggregateExpr.class, parse(op + "(0.5, x)"));
    }
  }

  @Test
  void vectorMatching() {
    Expr.BinaryExpr b = (Expr.BinaryExpr) parse("x / on(instance, job) group_left(nodename) node_uname_info");
    assertEquals(new VectorMatching(VectorMatching.Cardinality.MANY_TO_ONE, true, List.of("instance", "job"),
        List.of("nodename"), null, null), b.matching());
    Expr.BinaryExpr r = (Expr.BinaryExpr) parse("a * ignoring(x) group_right b");
    assertEquals(VectorMatching.Cardinality.ONE_TO_MANY, r.matching().cardinality());
    assertEquals(VectorMatching.Cardinality.MANY_TO_MANY, ((Expr.BinaryExpr) parse("a unless b")).matching().cardinality());
    Expr.BinaryExpr f = (Expr.BinaryExpr) parse("a + fill_left(1) fill_right(-2) b");
    assertEquals(1.0, f.matching().fillLeft());
    assertEquals(-2.0, f.matching().fillRight());
    assertTrue(((Expr.BinaryExpr) parse("a >= bool 1")).returnBool());
  }

  @Test
  void literals() {
    assertEquals(31.0, ((Expr.NumberLiteral) parse("0x1F")).value());
    assertEquals(8.0, ((Expr.NumberLiteral) parse("010")).value());
    assertEquals(1500.0, ((Expr.NumberLiteral) parse("1.5e3")).value());
    assertEquals(0.5, ((Expr.NumberLiteral) parse(".5")).value());
    assertEquals(Double.NEGATIVE_INFINITY, ((Expr.NumberLiteral) parse("-inf")).value());
    assertTrue(Double.isNaN(((Expr.NumberLiteral) parse("NaN")).value()));
    Expr.NumberLiteral d = (Expr.NumberLiteral) parse("1h30m");
    assertEquals(5400.0, d.value());
    assertTrue(d.writtenAsDuration());
    assertEquals("a\"\n\t\u00e9\u263a\\", ((Expr.StringLiteral) parse("\"a\\\"\\n\\t\\u00e9\\U0000263a\\\\\"")).value());
    assertEquals("it's", ((Expr.StringLiteral) parse("'it\\'s'")).value());
    assertEquals("raw\\n", ((Expr.StringLiteral) parse("`raw\\n`")).value());
    assertEquals("\u00e9", ((Expr.StringLiteral) parse("\"\\xc3\\xa9\"")).value());
    assertEquals("A", ((Expr.StringLiteral) parse("\"\\101\"")).value());
  }

  @Test
  void commentsAndLineBreaksAreIgnored() {
    Expr e = parse("sum(  # total\n  rate(x[5m])  # per second\n) by (job)\n# end");
    assertEquals("sum by (job) (rate(x[5m]))", e.toString());
  }

  @Test
  void nodesKnowWhereTheyWereWritten() {
    Expr.BinaryExpr b = (Expr.BinaryExpr) parse("foo + rate(bar[5m])");
    assertEquals(new PositionRange(0, 19), b.position());
    assertEquals(new PositionRange(0, 3), b.lhs().position());
    assertEquals(new PositionRange(6, 19), b.rhs().position());
    Expr.Call c = (Expr.Call) b.rhs();
    assertEquals(new PositionRange(11, 18), c.args().get(0).position());
  }

  @Test
  void syntaxErrorsReadLikePrometheusWithPositions() {
    assertEquals("1:1: parse error: no expression found in input", error("  "));
    assertEquals("1:7: parse error: unexpected right parenthesis ')'", error("sum(x)) "));
    assertEquals("1:6: parse error: unexpected end of input", error("sum(x"));
    assertEquals("1:8: parse error: unexpected character inside braces: '>'", error("foo{bar>\"x\"}"));
    assertEquals("1:5: parse error: unexpected character: '$'", error("foo $bar"));
    assertEquals("1:5: parse error: unterminated quoted string \"", error("foo{\"bar}"));
    assertEquals("1:8: parse error: bad number or duration syntax: \"5min\"", error("rate(x[5min])"));
    assertEquals("2:3: parse error: unexpected identifier \"bar\"", error("foo\n  bar"));
    assertEquals("1:11: parse error: trailing commas not allowed in function call args", error("round(x, 1, )"));
    // Units out of order fail in model.ParseDuration, as in Prometheus's parse_test.go (foo[5m1h]).
    assertEquals("1:6: parse error: not a valid duration string: \"5m1h\"", error("rate(5m1h)"));
    assertEquals("1:5: parse error: not a valid duration string: \"5m1m\"", error("foo[5m1m]"));
  }

  @Test
  void typeAndModifierErrorsReadLikePrometheus() {
    assertEquals("1:6: parse error: expected type range vector in call to function \"rate\", got instant vector",
        error("rate(x)"));
    assertEquals("1:1: parse error: unknown function with name \"nope\"", error("nope(x)"));
    assertEquals("1:1: parse error: vector selector must contain at least one non-empty matcher",
        error("{job=~\".*\"}"));
    assertEquals("1:1: parse error: comparisons between scalars must use BOOL modifier", error("1 > 2"));
    assertEquals("1:3: parse error: bool modifier can only be used on comparison operators", error("a + bool b"));
    assertEquals("1:1: parse error: set operator \"and\" not allowed in binary scalar expression", error("1 and x"));
    assertEquals("1:1: parse error: binary expression must contain only scalar and instant vector types",
        error("x[5m] + 1"));
    assertEquals("1:4: parse error: ranges only allowed for vector selectors", error("(x)[5m]"));
    assertEquals("1:1: parse error: subquery is only allowed on instant vector, got range vector instead",
        error("x[5m][10m:]"));
    assertEquals("1:13: parse error: offset may not be set multiple times", error("x offset 5m offset 1m"));
    assertEquals("1:8: parse error: offset modifier must be preceded by an instant vector selector or range vector"
        + " selector or a subquery", error("sum(x) offset 5m"));
    assertEquals("1:5: parse error: metric name must not be set twice: \"foo\" or \"bar\"",
        error("foo{__name__=\"bar\"}"));
    assertEquals("1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
        error("topk(x)"));
    assertEquals("1:1: parse error: label \"a\" must not occur in ON and GROUP clause at once",
        error("x * on(a) group_left(a) y"));
    assertTrue(error("x{a=~\"(\"}").contains("invalid regular expression"));
    assertEquals("1:3: parse error: bool modifier can only be used on comparison operators", error("h >/ bool 1"));
  }

  @Test
  void trimOperatorsBindLikeComparisons() {
    Expr.BinaryExpr e = (Expr.BinaryExpr) parse("a + b </ c * 2");
    assertEquals(BinaryOp.TRIM_UPPER, e.op());
    assertEquals(BinaryOp.ADD, ((Expr.BinaryExpr) e.lhs()).op());
    Expr.BinaryExpr l = (Expr.BinaryExpr) parse("h >/ 0.5 and x");
    assertEquals(BinaryOp.AND, l.op());
    assertEquals(BinaryOp.TRIM_LOWER, ((Expr.BinaryExpr) l.lhs()).op());
    assertEquals("h >/ 0.5", parse("h >/ 0.5").toString());
  }

  @Test
  void seriesSelectorsForTheMetadataApi() {
    assertEquals(List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("job", "a")),
        PromQLParser.parseSelector("up{job=\"a\"}"));
    assertTrue(assertThrows(ParseException.class, () -> PromQLParser.parseSelector("rate(x[5m])"))
        .getMessage().contains("expected a series selector"));
  }
}
