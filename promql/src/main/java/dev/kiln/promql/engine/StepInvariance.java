package dev.kiln.promql.engine;

import java.util.Set;

/**
 * Whether an expression has the same value at every step, as Prometheus's
 * {@code preprocessExprHelper} decides it: selectors and subqueries pinned with {@code @},
 * literals, and functions of such arguments that do not read the evaluation time.
 */
final class StepInvariance {
  private static final Set<String> AT_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week",
      "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp");

  private StepInvariance() {}

  static boolean isInvariant(Plan p) {
    if (p instanceof Plan.Selector s) {
      return s.at().isSet();
    }
    if (p instanceof Plan.RangeSelector rs) {
      return rs.selector().at().isSet();
    }
    if (p instanceof Plan.Subquery sq) {
      return sq.at().isSet();
    }
    if (p instanceof Plan.NumberLiteral || p instanceof Plan.StringLiteral) {
      return true;
    }
    if (p instanceof Plan.Paren n) {
      return isInvariant(n.expr());
    }
    if (p instanceof Plan.Negate n) {
      return isInvariant(n.expr());
    }
    if (p instanceof Plan.Aggregate a) {
      return isInvariant(a.expr());
    }
    if (p instanceof Plan.Binary b) {
      return isInvariant(b.lhs()) && isInvariant(b.rhs());
    }
    if (p instanceof Plan.Call c) {
      if (AT_UNSAFE.contains(c.name())) {
        return false;
      }
      for (Plan a : c.args()) {
        if (!isInvariant(a)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
