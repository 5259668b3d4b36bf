package dev.kiln.promql.engine;

import dev.kiln.promql.ParseException;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a series selector such as {@code up{job=~"a|b"}} into label matchers, for the
 * {@code match[]} parameters of the metadata API. Uses the engine's query reader, so syntax and
 * messages are the same as in queries.
 */
public final class SeriesSelectors {
  private SeriesSelectors() {}

  /**
   * @throws ParseException when the text is not a single instant vector selector, or when every
   *     matcher matches the empty string
   */
  public static List<LabelMatcher> parse(String selector) {
    Plan p = new PlanReader(selector, 0, 0).read();
    while (p instanceof Plan.Paren paren) {
      p = paren.expr();
    }
    if (!(p instanceof Plan.Selector sel) || sel.offsetMillis() != 0 || sel.at().isSet()) {
      throw new ParseException("1:1: parse error: expected a series selector, got \"" + selector + "\"", 0, selector.length());
    }
    List<LabelMatcher> out = new ArrayList<>(sel.matchers());
    if (sel.metricName() != null && out.stream().noneMatch(m -> m.name().equals("__name__"))) {
      out.add(0, LabelMatcher.equal("__name__", sel.metricName()));
    }
    if (out.stream().allMatch(LabelMatcher::matchesEmpty)) {
      throw new ParseException("1:1: parse error: vector selector must contain at least one non-empty matcher", 0, selector.length());
    }
    return out;
  }
}
