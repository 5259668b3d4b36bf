package dev.kiln.promql.engine;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.AtModifier;
import dev.kiln.promql.ast.BinaryOp;
import dev.kiln.promql.ast.DurationExpr;
import dev.kiln.promql.ast.Expr;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates the parser's {@link Expr} tree into the evaluator's {@link Plan} for one query:
 * durations become milliseconds, with {@code step()} and {@code range()} resolved against the
 * query's step and range; unary plus disappears.
 */
final class Planner {
  private final long stepMillis;
  private final long rangeMillis;

  /**
   * @param stepMillis the query's step, 0 for instant queries
   * @param rangeMillis the query's end minus start
   */
  Planner(long stepMillis, long rangeMillis) {
    this.stepMillis = stepMillis;
    this.rangeMillis = rangeMillis;
  }

  Plan plan(Expr e) {
    int pos = e.position().start();
    if (e instanceof Expr.NumberLiteral n) {
      return new Plan.NumberLiteral(n.value(), pos);
    } else if (e instanceof Expr.StringLiteral s) {
      return new Plan.StringLiteral(s.value(), pos);
    } else if (e instanceof Expr.VectorSelector v) {
      return selector(v);
    } else if (e instanceof Expr.MatrixSelector m) {
      return new Plan.RangeSelector(selector(m.selector()), positiveMillis(m.range(), m), pos);
    } else if (e instanceof Expr.SubqueryExpr s) {
      long step = s.step() == null ? 0 : millis(s.step());
      return new Plan.Subquery(plan(s.expr()), positiveMillis(s.range(), s), step, offset(s.offset()), at(s.at()), pos);
    } else if (e instanceof Expr.Call c) {
      List<Plan> args = new ArrayList<>(c.args().size());
      for (Expr a : c.args()) {
        args.add(plan(a));
      }
      return new Plan.Call(c.function(), args, type(c.returnType()), pos);
    } else if (e instanceof Expr.AggregateExpr a) {
      return new Plan.Aggregate(a.op(), plan(a.expr()),
          a.param() == null ? null : plan(a.param()), a.grouping(), a.without(), pos);
    } else if (e instanceof Expr.BinaryExpr b) {
      var vm = b.matching();
      Plan.Matching matching = new Plan.Matching(vm.cardinality(), vm.on(),
          vm.matchingLabels(), vm.include(), vm.fillLeft(), vm.fillRight());
      return new Plan.Binary(b.op(), plan(b.lhs()), plan(b.rhs()), b.returnBool(),
          matching, pos);
    } else if (e instanceof Expr.UnaryExpr u) {
      Plan inner = plan(u.expr());
      return u.op() == BinaryOp.SUB ? new Plan.Negate(inner, pos) : inner;
    }
    return new Plan.Paren(plan(((Expr.ParenExpr) e).expr()), pos);
  }

  private Plan.Selector selector(Expr.VectorSelector v) {
    return new Plan.Selector(v.name(), v.matchers(), offset(v.offset()), at(v.at()), v.position().start(),
        v.anchored(), v.smoothed());
  }

  private long offset(DurationExpr d) {
    return d == null ? 0 : millis(d);
  }

  private long millis(DurationExpr d) {
    return Math.round(d.seconds(stepMillis, rangeMillis) * 1000);
  }

  private long positiveMillis(DurationExpr d, Expr owner) {
    long ms = millis(d);
    if (ms <= 0) {
      throw new ParseException("duration must be greater than 0", owner.position().start(), owner.position().end());
    }
    return ms;
  }

  private static Plan.At at(AtModifier at) {
    return switch (at.kind()) {
      case NONE -> Plan.At.NONE;
      case TIME -> new Plan.At(Plan.AtKind.TIME, at.timeMillis());
      case START -> new Plan.At(Plan.AtKind.START, 0);
      case END -> new Plan.At(Plan.AtKind.END, 0);
    };
  }

  private static Plan.Type type(dev.kiln.promql.ast.ValueType t) {
    return Plan.Type.valueOf(t.name());
  }
}
