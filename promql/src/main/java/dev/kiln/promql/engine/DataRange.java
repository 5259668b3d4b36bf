package dev.kiln.promql.engine;

/**
 * Computes the time range of raw data a plan reads, so the engine opens one querier covering
 * exactly what the selectors need (Prometheus's {@code FindMinMaxTime}).
 */
final class DataRange {
  long mint = Long.MAX_VALUE;
  long maxt = Long.MIN_VALUE;
  private final long lookback;
  private final long queryStart;
  private final long queryEnd;
  private final long defaultSubqueryStep;

  private DataRange(long lookback, long queryStart, long queryEnd, long defaultSubqueryStep) {
    this.defaultSubqueryStep = defaultSubqueryStep;
    this.lookback = lookback;
    this.queryStart = queryStart;
    this.queryEnd = queryEnd;
  }

  /** The [mint, maxt] the plan reads when evaluated over {@code g}; (0, 0) when it reads nothing. */
  static long[] of(Plan p, Grid g, long lookback, long defaultSubqueryStep) {
    DataRange r = new DataRange(lookback, g.start(), g.end(), defaultSubqueryStep);
    r.walk(p, g.start(), g.end());
    if (r.maxt == Long.MIN_VALUE) {
      return new long[] {0, 0};
    }
    return new long[] {r.mint, r.maxt};
  }

  /** The length of the time range of raw data the plan reads over {@code g}; -1 when it reads none. */
  static long span(Plan p, Grid g, long lookback, long defaultSubqueryStep) {
    DataRange r = new DataRange(lookback, g.start(), g.end(), defaultSubqueryStep);
    r.walk(p, g.start(), g.end());
    return r.maxt == Long.MIN_VALUE ? -1 : r.maxt - r.mint;
  }

  private long at(Plan.At at, long fallback) {
    return at.isSet() ? at.resolve(queryStart, queryEnd) : fallback;
  }

  private void cover(long from, long to) {
    mint = Math.min(mint, from);
    maxt = Math.max(maxt, to);
  }

  private void walk(Plan p, long start, long end) {
    if (p instanceof Plan.Selector s) {
      long extra = s.smoothed() ? lookback : 0;
      cover(at(s.at(), start) - s.offsetMillis() - lookback + 1, at(s.at(), end) - s.offsetMillis() + extra);
    } else if (p instanceof Plan.RangeSelector rs) {
      Plan.Selector s = rs.selector();
      long before = s.anchored() || s.smoothed() ? lookback : 0;
      long after = s.smoothed() ? lookback : 0;
      cover(at(s.at(), start) - s.offsetMillis() - rs.rangeMillis() - before + 1,
          at(s.at(), end) - s.offsetMillis() + after);
    } else if (p instanceof Plan.Subquery sq) {
      long step = sq.stepMillis() != 0 ? sq.stepMillis() : defaultSubqueryStep;
      long outerStart = at(sq.at(), start);
      long outerEnd = at(sq.at(), end);
      long innerEnd = outerEnd - sq.offsetMillis();
      long rawStart = outerStart - sq.offsetMillis() - sq.rangeMillis();
      long innerStart = step * (rawStart / step);
      if (innerStart <= rawStart) {
        innerStart += step;
      }
      walk(sq.expr(), innerStart, innerEnd);
    } else if (p instanceof Plan.Call c) {
      for (Plan a : c.args()) {
        walk(a, start, end);
      }
    } else if (p instanceof Plan.Aggregate a) {
      walk(a.expr(), start, end);
      if (a.param() != null) {
        walk(a.param(), start, end);
      }
    } else if (p instanceof Plan.Binary b) {
      walk(b.lhs(), start, end);
      walk(b.rhs(), start, end);
    } else if (p instanceof Plan.Negate n) {
      walk(n.expr(), start, end);
    } else if (p instanceof Plan.Paren n) {
      walk(n.expr(), start, end);
    }
  }
}
