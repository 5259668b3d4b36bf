package dev.kiln.promql.ast;

import java.util.List;

/**
 * How a binary operation between two instant vectors pairs their samples.
 *
 * @param cardinality one-to-one, many-to-one ({@code group_left}), one-to-many ({@code group_right})
 *     or many-to-many (set operators)
 * @param on true for {@code on(...)}, false for {@code ignoring(...)} or no clause
 * @param matchingLabels the labels of {@code on}/{@code ignoring}
 * @param include the extra labels of {@code group_left}/{@code group_right}
 * @param fillLeft the value for a missing left-hand sample ({@code fill}, {@code fill_left}), or null
 * @param fillRight the value for a missing right-hand sample ({@code fill}, {@code fill_right}), or null
 */
public record VectorMatching(
    Cardinality cardinality, boolean on, List<String> matchingLabels, List<String> include, Double fillLeft,
    Double fillRight) {
  /** Vector matching cardinalities. */
  public enum Cardinality {
    ONE_TO_ONE,
    MANY_TO_ONE,
    ONE_TO_MANY,
    MANY_TO_MANY
  }

  public VectorMatching {
    matchingLabels = List.copyOf(matchingLabels);
    include = List.copyOf(include);
  }

  /** The default matching of an operator: one-to-one, or many-to-many for set operators. */
  public static VectorMatching defaultFor(BinaryOp op) {
    return new VectorMatching(
        op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE, false, List.of(), List.of(), null,
        null);
  }
}
