package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;

/**
 * Checks the parameter of a selecting aggregation over all steps before any series is looked at,
 * as Prometheus does: {@code k} of {@code topk}, {@code bottomk} and {@code limitk} must be a
 * number that fits an int64; the ratio of {@code limit_ratio} must not be NaN and is capped to
 * [-1, 1] with a warning.
 */
final class SelectionParams {
  private SelectionParams() {}

  /**
   * Returns true when the parameter keeps no series at any step, so the aggregation is empty.
   *
   * @throws ExecutionException when the parameter is NaN or out of range
   */
  static boolean selectsNothing(AggregateOp op, double[] param, Annotations annotations, int pos) {
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    boolean anyNaN = false;
    for (double v : param) {
      anyNaN |= Double.isNaN(v);
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    return op == AggregateOp.LIMIT_RATIO
        ? ratioSelectsNothing(min, max, anyNaN, annotations, pos)
        : countSelectsNothing(min, max, anyNaN);
  }

  private static boolean ratioSelectsNothing(
      double min, double max, boolean anyNaN, Annotations annotations, int pos) {
    if (max == 0 && min == 0) {
      return true;
    }
    if (anyNaN) {
      throw new ExecutionException("Ratio value is NaN");
    }
    if (max > 1.0) {
      annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.format(max, Notation.V) + ", capping to 1", pos);
    }
    if (min < -1.0) {
      annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.format(min, Notation.V) + ", capping to -1", pos);
    }
    return false;
  }

  private static boolean countSelectsNothing(double min, double max, boolean anyNaN) {
    if (!anyNaN && max < 1) {
      return true;
    }
    if (anyNaN) {
      throw new ExecutionException("Parameter value is NaN");
    }
    if (min <= -9.223372036854775807E18) {
      throw new ExecutionException("Scalar value " + GoFloats.format(min, Notation.V) + " underflows int64");
    }
    if (max >= 9.223372036854775807E18) {
      throw new ExecutionException("Scalar value " + GoFloats.format(max, Notation.V) + " overflows int64");
    }
    return false;
  }
}
