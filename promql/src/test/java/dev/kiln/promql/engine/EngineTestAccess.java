package dev.kiln.promql.engine;

import dev.kiln.promql.Query;
import dev.kiln.promql.QueryOptions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Queryable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Test access to engine internals the conformance runner needs: pinning every selector and
 * subquery with {@code @} (Prometheus's at-modifier test variants) and listing the selectors of
 * a query.
 */
public final class EngineTestAccess {
  /** Functions whose result depends on the evaluation time even with step-invariant arguments. */
  private static final Set<String> AT_UNSAFE =
      Set.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
          "month", "year", "predict_linear", "time", "timestamp", "start", "end", "range", "step");

  private EngineTestAccess() {}


  /** An instant query with every selector and subquery not already pinned pinned at {@code pin}. */
  public static Query pinnedInstantQuery(
      Engine engine, Queryable storage, String expr, long evalTime, long pin) {
    return engine.instantQuery(storage, QueryOptions.DEFAULTS, expr, evalTime, p -> pin(p, pin));
  }

  /** A range query with every selector and subquery not already pinned pinned at {@code pin}. */
  public static Query pinnedRangeQuery(
      Engine engine, Queryable storage, String expr, long start, long end, long step, long pin) {
    return engine.rangeQuery(storage, QueryOptions.DEFAULTS, expr, start, end, step, p -> pin(p, pin));
  }

  /** Whether the expression uses a function unsafe under {@code @} outside pinned subqueries. */
  public static boolean usesAtUnsafeFunction(String expr) {
    return unsafe(PlanParser.DEFAULT.parse(expr, 0, 0));
  }

  /** The label matchers of every selector in the expression. */
  public static List<List<LabelMatcher>> selectors(String expr) {
    List<List<LabelMatcher>> out = new ArrayList<>();
    collect(PlanParser.DEFAULT.parse(expr, 0, 0), out);
    return out;
  }

  private static void collect(Plan p, List<List<LabelMatcher>> out) {
    if (p instanceof Plan.Selector s) {
      out.add(s.matchers());
    } else if (p instanceof Plan.RangeSelector rs) {
      out.add(rs.selector().matchers());
    } else if (p instanceof Plan.Subquery sq) {
      collect(sq.expr(), out);
    } else if (p instanceof Plan.Call c) {
      c.args().forEach(a -> collect(a, out));
    } else if (p instanceof Plan.Aggregate a) {
      collect(a.expr(), out);
      if (a.param() != null) {
        collect(a.param(), out);
      }
    } else if (p instanceof Plan.Binary b) {
      collect(b.lhs(), out);
      collect(b.rhs(), out);
    } else if (p instanceof Plan.Negate n) {
      collect(n.expr(), out);
    } else if (p instanceof Plan.Paren n) {
      collect(n.expr(), out);
    }
  }

  private static boolean unsafe(Plan p) {
    if (p instanceof Plan.Subquery sq) {
      return !sq.at().isSet() && unsafe(sq.expr());
    }
    if (p instanceof Plan.Call c) {
      if (AT_UNSAFE.contains(c.name())) {
        return true;
      }
      return c.args().stream().anyMatch(EngineTestAccess::unsafe);
    }
    if (p instanceof Plan.Aggregate a) {
      return unsafe(a.expr()) || (a.param() != null && unsafe(a.param()));
    }
    if (p instanceof Plan.Binary b) {
      return unsafe(b.lhs()) || unsafe(b.rhs());
    }
    if (p instanceof Plan.Negate n) {
      return unsafe(n.expr());
    }
    if (p instanceof Plan.Paren n) {
      return unsafe(n.expr());
    }
    return false;
  }

  private static Plan pin(Plan p, long t) {
    Plan.At at = new Plan.At(Plan.AtKind.TIME, t);
    if (p instanceof Plan.Selector s) {
      return s.at().kind() == Plan.AtKind.TIME ? s : s.withAt(at);
    }
    if (p instanceof Plan.RangeSelector rs) {
      Plan.Selector s = rs.selector();
      return s.at().kind() == Plan.AtKind.TIME ? rs : new Plan.RangeSelector(s.withAt(at), rs.rangeMillis(), rs.pos());
    }
    if (p instanceof Plan.Subquery sq) {
      if (sq.at().kind() == Plan.AtKind.TIME) {
        return sq;
      }
      return new Plan.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), sq.offsetMillis(), at, sq.pos());
    }
    if (p instanceof Plan.Call c) {
      return new Plan.Call(c.name(), c.args().stream().map(a -> pin(a, t)).toList(), c.returnType(), c.pos());
    }
    if (p instanceof Plan.Aggregate a) {
      return new Plan.Aggregate(a.op(), pin(a.expr(), t), a.param() == null ? null : pin(a.param(), t),
          a.grouping(), a.without(), a.pos());
    }
    if (p instanceof Plan.Binary b) {
      return new Plan.Binary(b.op(), pin(b.lhs(), t), pin(b.rhs(), t), b.returnBool(), b.matching(), b.pos());
    }
    if (p instanceof Plan.Negate n) {
      return new Plan.Negate(pin(n.expr(), t), n.pos());
    }
    if (p instanceof Plan.Paren n) {
      return new Plan.Paren(pin(n.expr(), t), n.pos());
    }
    return p;
  }
}
