package dev.kiln.promql.engine;

import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.promql.ast.BinaryOp;
import dev.kiln.promql.ast.VectorMatching.Cardinality;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;

/**
 * The evaluator's own immutable expression tree, translated from the parser's AST once per query
 * by a {@link PlanParser}. It carries exactly what evaluation needs: resolved value types,
 * offsets and {@code @} times in milliseconds, and the source offset of each node for
 * annotation positions. Keeping it separate from the AST lets the evaluator rewrite trees (for
 * example pinning every selector with {@code @}) without touching parser types.
 */
sealed interface Plan {
  /** The PromQL value type a node evaluates to. */
  enum Type {
    SCALAR,
    VECTOR,
    MATRIX,
    STRING
  }

  Type type();

  /** Start offset of the node in the query text, for annotation positions; -1 if unknown. */
  int pos();

  /** How an {@code @} modifier was written. */
  enum AtKind {
    NONE,
    TIME,
    START,
    END
  }

  /**
   * The {@code @} modifier of a selector or subquery.
   *
   * @param kind none, a fixed time, or start()/end() of the query
   * @param timeMillis the fixed time when kind is TIME
   */
  record At(AtKind kind, long timeMillis) {
    static final At NONE = new At(AtKind.NONE, 0);

    boolean isSet() {
      return kind != AtKind.NONE;
    }

    /** The pinned time, resolving start() and end() against the query's range. */
    long resolve(long queryStart, long queryEnd) {
      return switch (kind) {
        case TIME -> timeMillis;
        case START -> queryStart;
        case END -> queryEnd;
        case NONE -> throw new IllegalStateException("no @ modifier");
      };
    }
  }

  record NumberLiteral(double value, int pos) implements Plan {
    @Override
    public Type type() {
      return Type.SCALAR;
    }
  }

  record StringLiteral(String value, int pos) implements Plan {
    @Override
    public Type type() {
      return Type.STRING;
    }
  }

  /**
   * An instant vector selector. {@code anchored} and {@code smoothed} are Prometheus's
   * experimental extended range selectors (they also apply to instant selectors for smoothed).
   */
  record Selector(
      String metricName, List<LabelMatcher> matchers, long offsetMillis, At at, int pos,
      boolean anchored, boolean smoothed)
      implements Plan {
    Selector(String metricName, List<LabelMatcher> matchers, long offsetMillis, At at, int pos) {
      this(metricName, matchers, offsetMillis, at, pos, false, false);
    }

    @Override
    public Type type() {
      return Type.VECTOR;
    }

    Selector withAt(At newAt) {
      return new Selector(metricName, matchers, offsetMillis, newAt, pos, anchored, smoothed);
    }

    Selector withOffset(long offset) {
      return new Selector(metricName, matchers, offset, at, pos, anchored, smoothed);
    }

    Selector withModifier(boolean anchor, boolean smooth) {
      return new Selector(metricName, matchers, offsetMillis, at, pos, anchor, smooth);
    }
  }

  /** A range vector selector {@code sel[range]}. */
  record RangeSelector(Selector selector, long rangeMillis, int pos) implements Plan {
    @Override
    public Type type() {
      return Type.MATRIX;
    }
  }

  /** A subquery {@code expr[range:step]}; step 0 means the engine's default. */
  record Subquery(Plan expr, long rangeMillis, long stepMillis, long offsetMillis, At at, int pos)
      implements Plan {
    @Override
    public Type type() {
      return Type.MATRIX;
    }
  }

  /** A function call; {@code returnType} comes from the function's signature. */
  record Call(String name, List<Plan> args, Type returnType, int pos) implements Plan {
    @Override
    public Type type() {
      return returnType;
    }
  }

  record Aggregate(AggregateOp op, Plan expr, Plan param, List<String> grouping, boolean without, int pos)
      implements Plan {
    @Override
    public Type type() {
      return Type.VECTOR;
    }
  }

  /**
   * How two vectors are matched.
   *
   * @param on true for {@code on(...)}, false for {@code ignoring(...)} (or no modifier)
   * @param matchingLabels the labels of on/ignoring
   * @param include the labels of group_left/group_right
   * @param fillLeft value used for a missing left-hand sample ({@code fill}/{@code fill_left}),
   *     or null
   * @param fillRight value used for a missing right-hand sample, or null
   */
  record Matching(
      Cardinality card, boolean on, List<String> matchingLabels, List<String> include, Double fillLeft,
      Double fillRight) {
    Matching(Cardinality card, boolean on, List<String> matchingLabels, List<String> include) {
      this(card, on, matchingLabels, include, null, null);
    }
  }

  record Binary(BinaryOp op, Plan lhs, Plan rhs, boolean returnBool, Matching matching, int pos)
      implements Plan {
    @Override
    public Type type() {
      return lhs.type() == Type.SCALAR && rhs.type() == Type.SCALAR ? Type.SCALAR : Type.VECTOR;
    }
  }

  /** Unary minus (unary plus is dropped when building the plan). */
  record Negate(Plan expr, int pos) implements Plan {
    @Override
    public Type type() {
      return expr.type();
    }
  }

  /** Parentheses, kept because {@code timestamp()} and {@code absent()} look through them. */
  record Paren(Plan expr, int pos) implements Plan {
    @Override
    public Type type() {
      return expr.type();
    }
  }
}
