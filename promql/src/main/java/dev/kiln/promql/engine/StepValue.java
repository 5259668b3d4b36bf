package dev.kiln.promql.engine;

import java.util.List;

/**
 * What the {@link Evaluator} yields for one plan node over a {@link Grid}: the node's value at
 * every step, in one of PromQL's four types. The evaluator's counterpart of the API's {@link
 * dev.kiln.promql.Value}; {@link ResultAssembler} turns one into the other.
 *
 * <p>Values are owned by the node that consumes them: an operator may change the arrays and lists
 * it is given in place (negation, element-wise functions) and hands them on. Not thread-safe.
 */
sealed interface StepValue {

  /** A scalar: one value per step. */
  record ScalarSteps(double[] values) implements StepValue {}

  /** A string literal, the same at every step. */
  record StringSteps(String value) implements StepValue {}

  /** An instant vector: dense per-step arrays per series, in evaluation order. */
  record InstantSteps(List<StepSeries> series) implements StepValue {}

  /** A range vector ({@code sel[d]} or a subquery) at the grid's single step: raw points per series. */
  record RangeSteps(List<RawSeries> series) implements StepValue {}
}
