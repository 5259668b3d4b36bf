package dev.kiln.promql.ast;

import java.util.List;

/**
 * Rebuilds a tree without source positions and with matchers in a fixed order, for comparisons
 * that ignore how a query was laid out.
 */
final class Positions {
  private Positions() {}

  static Expr strip(Expr e) {
    PositionRange none = PositionRange.NONE;
    if (e instanceof Expr.NumberLiteral n) {
      return new Expr.NumberLiteral(n.value(), n.writtenAsDuration(), none);
    } else if (e instanceof Expr.StringLiteral s) {
      return new Expr.StringLiteral(s.value(), none);
    } else if (e instanceof Expr.VectorSelector v) {
      return stripSelector(v);
    } else if (e instanceof Expr.MatrixSelector m) {
      return new Expr.MatrixSelector(stripSelector(m.selector()), m.range(), none);
    } else if (e instanceof Expr.SubqueryExpr s) {
      return new Expr.SubqueryExpr(strip(s.expr()), s.range(), s.step(), s.offset(), s.at(), none);
    } else if (e instanceof Expr.Call c) {
      return new Expr.Call(c.function(), stripAll(c.args()), c.returnType(), none);
    } else if (e instanceof Expr.AggregateExpr a) {
      return new Expr.AggregateExpr(
          a.op(), strip(a.expr()), a.param() == null ? null : strip(a.param()), a.grouping(), a.without(), none);
    } else if (e instanceof Expr.BinaryExpr b) {
      return new Expr.BinaryExpr(b.op(), strip(b.lhs()), strip(b.rhs()), b.returnBool(), b.matching(), none);
    } else if (e instanceof Expr.UnaryExpr u) {
      return new Expr.UnaryExpr(u.op(), strip(u.expr()), none);
    } else {
      return new Expr.ParenExpr(strip(((Expr.ParenExpr) e).expr()), none);
    }
  }

  private static Expr.VectorSelector stripSelector(Expr.VectorSelector v) {
    List<dev.kiln.tsdb.model.LabelMatcher> sorted = new java.util.ArrayList<>(v.matchers());
    sorted.sort(java.util.Comparator.comparing(Object::toString));
    return new Expr.VectorSelector(
        v.name(), sorted, v.offset(), v.at(), v.anchored(), v.smoothed(), PositionRange.NONE);
  }

  private static List<Expr> stripAll(List<Expr> es) {
    return es.stream().map(Positions::strip).toList();
  }
}
