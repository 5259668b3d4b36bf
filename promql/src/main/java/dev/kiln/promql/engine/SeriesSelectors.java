package dev.kiln.promql.engine;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;

/**
 * Reads a series selector such as {@code up{job=~"a|b"}} into label matchers, for the
 * {@code match[]} parameters of the metadata API, with the same syntax and messages as queries.
 */
public final class SeriesSelectors {
  private SeriesSelectors() {}

  /**
   * @throws ParseException when the text is not a single instant vector selector, or when every
   *     matcher matches the empty string
   */
  public static List<LabelMatcher> parse(String selector) {
    return PromQLParser.parseSelector(selector);
  }
}
