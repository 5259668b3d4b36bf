package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.parser.PromQLParser;
import org.junit.jupiter.api.Test;

class ParsedQueriesTest {
  @Test
  void returnsTheTreeOfEarlierParsesOfTheSameText() {
    ParsedQueries c = new ParsedQueries(4);
    Expr first = c.parse("sum by (job) (rate(x[5m]))");
    assertEquals(PromQLParser.parse("sum by (job) (rate(x[5m]))"), first);
    assertSame(first, c.parse("sum by (job) (rate(x[5m]))"));
    assertEquals(PromQLParser.parse("sum by (job) (rate(x[1m]))"), c.parse("sum by (job) (rate(x[1m]))"));
  }

  @Test
  void keepsAtMostItsCapacityLeastRecentlyUsedOutFirst() {
    ParsedQueries c = new ParsedQueries(2);
    Expr a = c.parse("a");
    c.parse("b");
    c.parse("a");
    c.parse("c");
    assertEquals(2, c.size());
    assertSame(a, c.parse("a"));
    assertEquals(2, c.size());
  }

  @Test
  void failuresAreNotKeptAndThrowEachTime() {
    ParsedQueries c = new ParsedQueries(4);
    assertThrows(ParseException.class, () -> c.parse("sum("));
    assertThrows(ParseException.class, () -> c.parse("sum("));
    assertEquals(0, c.size());
  }

  @Test
  void longTextsAreParsedButNotKept() {
    ParsedQueries c = new ParsedQueries(4);
    String longText = "x{a=\"" + "v".repeat(ParsedQueries.MAX_TEXT) + "\"}";
    assertEquals(PromQLParser.parse(longText), c.parse(longText));
    assertEquals(0, c.size());
  }

  @Test
  void plansDependOnTheStepAndRangeNotOnTheCache() {
    PlanParser p = ParsedQueries.planParser(new ParsedQueries(4));
    String q = "rate(x[step()])";
    assertEquals(PlanParser.DEFAULT.parse(q, 15_000, 3_600_000), p.parse(q, 15_000, 3_600_000));
    assertEquals(PlanParser.DEFAULT.parse(q, 30_000, 3_600_000), p.parse(q, 30_000, 3_600_000));
  }
}
