package dev.kiln.promql.engine;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Finds the selectors whose histograms only feed {@code histogram_count}, {@code histogram_sum}
 * or {@code histogram_avg} (Prometheus's detectHistogramStatsDecoding). Prometheus reads those
 * through its HistogramStatsIterator, which resolves UNKNOWN counter reset hints on the fly
 * (COUNTER_RESET or NOT_COUNTER_RESET against the previous histogram), so hint-dependent
 * results and annotations differ from a plain read; Kiln reproduces that. Stateless.
 */
final class HistogramStatsSelectors {
  private HistogramStatsSelectors() {}

  private enum State {
    NONE,
    STATS,
    BLOCKED
  }

  static Set<Plan.Selector> find(Plan root) {
    Set<Plan.Selector> out = Collections.newSetFromMap(new IdentityHashMap<>());
    visit(root, State.NONE, out);
    return out;
  }

  private static void visit(Plan p, State state, Set<Plan.Selector> out) {
    if (p instanceof Plan.Selector s) {
      if (state == State.STATS) {
        out.add(s);
      }
    } else if (p instanceof Plan.RangeSelector rs) {
      visit(rs.selector(), state, out);
    } else if (p instanceof Plan.Subquery sq) {
      visit(sq.expr(), state, out);
    } else if (p instanceof Plan.Paren paren) {
      visit(paren.expr(), state, out);
    } else if (p instanceof Plan.Negate neg) {
      visit(neg.expr(), state, out);
    } else if (p instanceof Plan.Binary b) {
      // Like Prometheus, each side of a binary operation starts afresh.
      visit(b.lhs(), State.NONE, out);
      visit(b.rhs(), State.NONE, out);
    } else if (p instanceof Plan.Aggregate a) {
      visit(a.expr(), state, out);
      if (a.param() != null) {
        visit(a.param(), state, out);
      }
    } else if (p instanceof Plan.Call c) {
      State next = state;
      switch (c.name()) {
        case "histogram_count", "histogram_sum", "histogram_avg" -> {
          if (state != State.BLOCKED) {
            next = State.STATS;
          }
        }
        case "histogram_quantile", "histogram_quantiles", "histogram_fraction" -> next = State.BLOCKED;
        default -> { }
      }
      for (Plan arg : c.args()) {
        visit(arg, next, out);
      }
    }
  }
}
