package dev.kiln.promql.ast;

import java.util.List;

/**
 * A duration as written in a range, subquery step or offset: a literal ({@code 5m}, {@code 300}),
 * or one of Prometheus's duration expressions ({@code [5m * 2]}, {@code offset step()},
 * {@code [min_of(range(), 1h)]}). Values are in seconds; {@code step()} and {@code range()} take
 * the query's step and range, so an expression is resolved per query by {@link #seconds}.
 */
public sealed interface DurationExpr {
  /** The value in seconds, given the query's step and range in milliseconds. */
  double seconds(long stepMillis, long rangeMillis);

  /** True when the value needs no query to be known. */
  boolean isConstant();

  /**
   * A number or duration literal.
   *
   * @param seconds the value in seconds
   * @param writtenAsDuration true for {@code 5m}, false for {@code 300}
   */
  record Literal(double seconds, boolean writtenAsDuration) implements DurationExpr {
    /** A literal of whole milliseconds, printed as a duration. */
    public static Literal ofMillis(long millis) {
      return new Literal(millis / 1000.0, true);
    }

    @Override
    public double seconds(long stepMillis, long rangeMillis) {
      return seconds;
    }

    @Override
    public boolean isConstant() {
      return true;
    }

    @Override
    public String toString() {
      return Printer.duration(this);
    }
  }

  /** Arithmetic: {@code +}, {@code -}, {@code *}, {@code /}, {@code %} or {@code ^}. */
  record Binary(BinaryOp op, DurationExpr lhs, DurationExpr rhs) implements DurationExpr {
    @Override
    public double seconds(long stepMillis, long rangeMillis) {
      double a = lhs.seconds(stepMillis, rangeMillis);
      double b = rhs.seconds(stepMillis, rangeMillis);
      return switch (op) {
        case ADD -> a + b;
        case SUB -> a - b;
        case MUL -> a * b;
        case DIV -> a / b;
        case MOD -> a % b;
        case POW -> Math.pow(a, b);
        default -> throw new IllegalStateException("not a duration operator: " + op);
      };
    }

    @Override
    public boolean isConstant() {
      return lhs.isConstant() && rhs.isConstant();
    }

    @Override
    public String toString() {
      return Printer.duration(this);
    }
  }

  /** Unary minus. */
  record Negate(DurationExpr expr) implements DurationExpr {
    @Override
    public double seconds(long stepMillis, long rangeMillis) {
      return -expr.seconds(stepMillis, rangeMillis);
    }

    @Override
    public boolean isConstant() {
      return expr.isConstant();
    }

    @Override
    public String toString() {
      return Printer.duration(this);
    }
  }

  /** Parentheses, kept so the expression prints as written. */
  record Paren(DurationExpr expr) implements DurationExpr {
    @Override
    public double seconds(long stepMillis, long rangeMillis) {
      return expr.seconds(stepMillis, rangeMillis);
    }

    @Override
    public boolean isConstant() {
      return expr.isConstant();
    }

    @Override
    public String toString() {
      return Printer.duration(this);
    }
  }

  /**
   * {@code step()}, {@code range()}, or the smaller or larger of two durations: {@code min(a, b)}
   * and {@code max(a, b)}, also spelled {@code min_of} and {@code max_of}.
   */
  record Function(Name name, List<DurationExpr> args) implements DurationExpr {
    /** The functions a duration expression may call. */
    public enum Name {
      STEP("step", 0),
      RANGE("range", 0),
      MIN_OF("min_of", 2),
      MAX_OF("max_of", 2),
      MIN("min", 2),
      MAX("max", 2);

      private final String symbol;
      private final int arity;

      Name(String symbol, int arity) {
        this.symbol = symbol;
        this.arity = arity;
      }

      public String symbol() {
        return symbol;
      }

      public int arity() {
        return arity;
      }
    }

    public Function {
      args = List.copyOf(args);
    }

    @Override
    public double seconds(long stepMillis, long rangeMillis) {
      return switch (name) {
        case STEP -> stepMillis / 1000.0;
        case RANGE -> rangeMillis / 1000.0;
        case MIN_OF, MIN -> Math.min(args.get(0).seconds(stepMillis, rangeMillis), args.get(1).seconds(stepMillis, rangeMillis));
        case MAX_OF, MAX -> Math.max(args.get(0).seconds(stepMillis, rangeMillis), args.get(1).seconds(stepMillis, rangeMillis));
      };
    }

    @Override
    public boolean isConstant() {
      return name != Name.STEP && name != Name.RANGE && args.stream().allMatch(DurationExpr::isConstant);
    }

    @Override
    public String toString() {
      return Printer.duration(this);
    }
  }
}
