package dev.kiln.tsdb.index;

import dev.kiln.tsdb.model.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates label matchers against a {@link PostingsReader}, with Prometheus's rules for empty
 * values: a missing label has the value "", so a matcher that accepts "" selects series without
 * the label too ({@code {foo=""}}, {@code {foo!="bar"}}, {@code {foo=~"a|"}}), and one that rejects
 * "" requires the label ({@code {foo!=""}}, {@code {foo=~".+"}}).
 *
 * <p>Each matcher becomes either a list the result must intersect with (it rejects "") or a list
 * the result must exclude (it accepts "": the series having the label with a rejected value).
 * Common regex shapes skip the regex engine (see {@link RegexShape}). Stateless.
 */
public final class PostingsForMatchers {
  private PostingsForMatchers() {}

  /** The series matching all matchers; with no matchers, every series. */
  public static Postings select(PostingsReader reader, LabelMatcher... matchers) {
    List<Postings> required = new ArrayList<>();
    List<Postings> excluded = new ArrayList<>();
    for (LabelMatcher m : matchers) {
      ValueTest test = ValueTest.of(m);
      if (test.acceptsAll()) {
        continue;
      }
      if (test.matches("")) {
        excluded.add(postingsWhere(reader, m.name(), test, false));
      } else {
        Postings p = postingsWhere(reader, m.name(), test, true);
        if (p == Postings.EMPTY) {
          return Postings.EMPTY;
        }
        required.add(p);
      }
    }
    if (required.isEmpty()) {
      required.add(reader.allPostings());
    }
    Postings result = Postings.intersect(required);
    if (!excluded.isEmpty()) {
      result = Postings.without(result, Postings.merge(excluded));
    }
    return result;
  }

  /** Postings of series having label {@code name} with a value that passes (or fails) the test. */
  private static Postings postingsWhere(
      PostingsReader reader, String name, ValueTest test, boolean passing) {
    List<String> known = passing ? test.knownPassingValues() : test.knownFailingValues();
    if (known != null) {
      return reader.postings(name, known);
    }
    if (passing ? test.passesAllNonEmpty() : test.failsAllNonEmpty()) {
      return reader.postingsForLabel(name);
    }
    List<String> candidates =
        passing && test.prefix() != null
            ? reader.labelValuesWithPrefix(name, test.prefix())
            : new ArrayList<>(reader.labelValues(name));
    List<String> values = new ArrayList<>(candidates.size());
    for (String v : candidates) {
      if (test.matches(v) == passing) {
        values.add(v);
      }
    }
    return reader.postings(name, values);
  }

  /** A matcher compiled for value tests, with the facts that allow shortcuts. */
  private static final class ValueTest {
    private final LabelMatcher matcher;
    private final RegexShape shape;
    private final boolean negated;

    private ValueTest(LabelMatcher matcher, RegexShape shape, boolean negated) {
      this.matcher = matcher;
      this.shape = shape;
      this.negated = negated;
    }

    static ValueTest of(LabelMatcher m) {
      RegexShape shape =
          switch (m.type()) {
            case REGEX, NOT_REGEX -> RegexShape.of(m.value());
            default -> null;
          };
      boolean negated =
          m.type() == LabelMatcher.Type.NOT_EQUAL || m.type() == LabelMatcher.Type.NOT_REGEX;
      return new ValueTest(m, shape, negated);
    }

    boolean matches(String v) {
      if (shape == null || shape.kind() == RegexShape.Kind.GENERAL) {
        return matcher.matches(v);
      }
      return shape.matches(v) != negated;
    }

    /** True for {@code =~".*"}: the matcher keeps every series. */
    boolean acceptsAll() {
      return shape != null && shape.kind() == RegexShape.Kind.ANY && !negated;
    }

    /** The exact non-empty values that pass, when known without scanning the index. */
    List<String> knownPassingValues() {
      if (matcher.type() == LabelMatcher.Type.EQUAL) {
        return matcher.value().isEmpty() ? List.of() : List.of(matcher.value());
      }
      if (matcher.type() == LabelMatcher.Type.REGEX
          && shape.kind() == RegexShape.Kind.LITERAL_SET) {
        return nonEmpty(shape.literals());
      }
      if (matcher.type() == LabelMatcher.Type.NOT_REGEX && shape.kind() == RegexShape.Kind.ANY) {
        return List.of();
      }
      return null;
    }

    /** The exact non-empty values that fail, when known without scanning the index. */
    List<String> knownFailingValues() {
      if (matcher.type() == LabelMatcher.Type.NOT_EQUAL) {
        return matcher.value().isEmpty() ? List.of() : List.of(matcher.value());
      }
      if (matcher.type() == LabelMatcher.Type.NOT_REGEX
          && shape.kind() == RegexShape.Kind.LITERAL_SET) {
        return nonEmpty(shape.literals());
      }
      return null;
    }

    boolean passesAllNonEmpty() {
      return (matcher.type() == LabelMatcher.Type.NOT_EQUAL && matcher.value().isEmpty())
          || (matcher.type() == LabelMatcher.Type.REGEX
              && shape.kind() == RegexShape.Kind.NON_EMPTY);
    }

    boolean failsAllNonEmpty() {
      return (matcher.type() == LabelMatcher.Type.EQUAL && matcher.value().isEmpty())
          || (matcher.type() == LabelMatcher.Type.NOT_REGEX
              && shape.kind() == RegexShape.Kind.NON_EMPTY);
    }

    /** A literal prefix every passing value has, or null. */
    String prefix() {
      return matcher.type() == LabelMatcher.Type.REGEX && shape.kind() == RegexShape.Kind.PREFIX
          ? shape.prefix()
          : null;
    }

    private static List<String> nonEmpty(List<String> values) {
      List<String> out = new ArrayList<>(values.size());
      for (String v : values) {
        if (!v.isEmpty()) {
          out.add(v);
        }
      }
      return out;
    }
  }
}
