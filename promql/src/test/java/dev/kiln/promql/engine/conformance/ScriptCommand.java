package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** One command of a PromQL test script. */
sealed interface ScriptCommand {

  /** {@code clear}: drop all data. */
  record Clear(int line) implements ScriptCommand {}

  /**
   * {@code load <interval>} (or {@code load_with_nhcb}) with its series. Sample k of a series is at
   * {@code k * intervalMillis}. {@code startTimestampMetrics} lists the series given start
   * timestamps by {@code @st} lines ({@link Labels#EMPTY} for a default applying to all).
   */
  record Load(
      int line, long intervalMillis, boolean withNhcb, Map<Labels, List<SequenceValue>> series,
      List<Labels> startTimestampMetrics)
      implements ScriptCommand {}

  /** An expected annotation or error text: an exact message, or a regular expression. */
  record Expectation(String message, Pattern regex) {
    static final Expectation ANY = new Expectation(null, Pattern.compile("^.*$"));

    boolean matches(String s) {
      return regex != null ? regex.matcher(s).find() : message.equals(s);
    }

    @Override
    public String toString() {
      return regex != null ? "pattern " + regex.pattern() : "message " + message;
    }
  }

  /** An {@code eval} command and everything it expects. */
  final class Eval implements ScriptCommand {
    final int line;
    final String expr;
    final boolean range;
    long start;
    long end;
    long step;
    boolean fail;
    boolean warn;
    boolean info;
    boolean ordered;
    String expectedFailMessage;
    Pattern expectedFailRegexp;
    final List<Expectation> expectFail = new ArrayList<>();
    final List<Expectation> expectWarn = new ArrayList<>();
    final List<Expectation> expectInfo = new ArrayList<>();
    boolean expectNoWarn;
    boolean expectNoInfo;
    boolean expectOrderedCmd;
    boolean expectScalar;
    /** Expected series: labels → (1-based position, values). Insertion-ordered. */
    final Map<Labels, Expected> expected = new LinkedHashMap<>();
    String expectedString;
    boolean excludeFromRangeQuery;
    boolean expectsHistogram;

    Eval(int line, String expr, boolean range) {
      this.line = line;
      this.expr = expr;
      this.range = range;
    }

    boolean isOrdered() {
      return ordered || expectOrderedCmd;
    }

    boolean isFail() {
      return fail || !expectFail.isEmpty();
    }

    /** The eval time of an instant eval. */
    long evalTime() {
      return end;
    }
  }

  /** One expected series with its position among the expected lines (1-based). */
  record Expected(int pos, List<SequenceValue> values) {}
}
