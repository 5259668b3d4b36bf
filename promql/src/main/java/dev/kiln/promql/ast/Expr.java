package dev.kiln.promql.ast;

import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;

/**
 * A PromQL expression: Kiln's immutable, typed syntax tree, built by
 * {@link dev.kiln.promql.parser.PromQLParser} after the type checks Prometheus's parser makes.
 * Every node knows its value type and its place in the query text. {@link #toString()} prints the
 * canonical one-line form Prometheus prints, which parses back to an equal tree;
 * {@link Printer#pretty} gives the multi-line form of {@code /api/v1/format_query}.
 */
public sealed interface Expr {
  /** The type this expression evaluates to. */
  ValueType type();

  /** Where the node was written; {@link PositionRange#NONE} for built nodes. */
  PositionRange position();

  /** True when both trees are the same apart from source positions and the order of matchers. */
  static boolean equalsIgnoringPosition(Expr a, Expr b) {
    return Positions.strip(a).equals(Positions.strip(b));
  }

  /**
   * A number: {@code 42}, {@code 1e3}, {@code 0x1f}, {@code Inf}, {@code NaN}, or a duration used
   * as a number of seconds ({@code 5m}).
   */
  record NumberLiteral(double value, boolean writtenAsDuration, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.SCALAR;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** A string literal, already unescaped. */
  record StringLiteral(String value, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /**
   * An instant vector selector such as {@code http_requests_total{job="api"} offset 5m}.
   *
   * @param name the metric name when written as a name ({@code foo{}} or {@code {"foo"}}), else null
   * @param matchers every matcher, including the {@code __name__} matcher of {@code name}
   * @param offset the offset, or null when none was written
   * @param at the {@code @} modifier
   * @param anchored Prometheus's experimental {@code anchored} range modifier
   * @param smoothed Prometheus's experimental {@code smoothed} modifier
   */
  record VectorSelector(
      String name, List<LabelMatcher> matchers, DurationExpr offset, AtModifier at, boolean anchored,
      boolean smoothed, PositionRange position) implements Expr {
    public VectorSelector {
      matchers = List.copyOf(matchers);
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }

    public VectorSelector withOffset(DurationExpr newOffset) {
      return new VectorSelector(name, matchers, newOffset, at, anchored, smoothed, position);
    }

    public VectorSelector withAt(AtModifier newAt) {
      return new VectorSelector(name, matchers, offset, newAt, anchored, smoothed, position);
    }

    public VectorSelector withModifiers(boolean newAnchored, boolean newSmoothed) {
      return new VectorSelector(name, matchers, offset, at, newAnchored, newSmoothed, position);
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** A range vector selector {@code selector[range]}; offset and {@code @} live on the selector. */
  record MatrixSelector(VectorSelector selector, DurationExpr range, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /**
   * A subquery {@code expr[range:step]}.
   *
   * @param step the resolution, or null for the engine's default
   * @param offset the offset, or null when none was written
   */
  record SubqueryExpr(
      Expr expr, DurationExpr range, DurationExpr step, DurationExpr offset, AtModifier at, PositionRange position)
      implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }

    public SubqueryExpr withOffset(DurationExpr newOffset) {
      return new SubqueryExpr(expr, range, step, newOffset, at, position);
    }

    public SubqueryExpr withAt(AtModifier newAt) {
      return new SubqueryExpr(expr, range, step, offset, newAt, position);
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** A function call; {@code returnType} comes from the function's signature. */
  record Call(String function, List<Expr> args, ValueType returnType, PositionRange position) implements Expr {
    public Call {
      args = List.copyOf(args);
    }

    @Override
    public ValueType type() {
      return returnType;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /**
   * An aggregation such as {@code sum by (job) (x)} or {@code topk(3, x)}.
   *
   * @param param the parameter of {@code topk}, {@code quantile}, {@code count_values}, ...; else null
   * @param grouping the labels of {@code by}/{@code without}
   */
  record AggregateExpr(
      AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without, PositionRange position)
      implements Expr {
    public AggregateExpr {
      grouping = List.copyOf(grouping);
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** A binary operation; {@code matching} says how vector samples pair up. */
  record BinaryExpr(
      BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching, PositionRange position)
      implements Expr {
    @Override
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** Unary {@code -} or {@code +} ({@code op} is {@link BinaryOp#SUB} or {@link BinaryOp#ADD}). */
  record UnaryExpr(BinaryOp op, Expr expr, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }

  /** Parentheses. */
  record ParenExpr(Expr expr, PositionRange position) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }

    @Override
    public String toString() {
      return Printer.print(this);
    }
  }
}
