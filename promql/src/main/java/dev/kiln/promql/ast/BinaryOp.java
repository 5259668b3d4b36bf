package dev.kiln.promql.ast;

/** PromQL binary operators, with their precedence (higher binds tighter). */
public enum BinaryOp {
  ADD("+", 4),
  SUB("-", 4),
  MUL("*", 5),
  DIV("/", 5),
  MOD("%", 5),
  ATAN2("atan2", 5),
  POW("^", 6),
  EQL("==", 3),
  NEQ("!=", 3),
  GTR(">", 3),
  LSS("<", 3),
  GTE(">=", 3),
  LTE("<=", 3),
  /** {@code h </ x}: removes the observations above x from native histogram h. */
  TRIM_UPPER("</", 3),
  /** {@code h >/ x}: removes the observations below x from native histogram h. */
  TRIM_LOWER(">/", 3),
  AND("and", 2),
  UNLESS("unless", 2),
  OR("or", 1);

  private final String symbol;
  private final int precedence;

  BinaryOp(String symbol, int precedence) {
    this.symbol = symbol;
    this.precedence = precedence;
  }

  /** How the operator is written. */
  public String symbol() {
    return symbol;
  }

  public int precedence() {
    return precedence;
  }

  /** True for {@code ^}, the only right-associative operator. */
  public boolean isRightAssociative() {
    return this == POW;
  }

  public boolean isComparison() {
    return this == EQL || this == NEQ || this == GTR || this == LSS || this == GTE || this == LTE;
  }

  /** The native-histogram trim operators {@code </} and {@code >/}. */
  public boolean isTrim() {
    return this == TRIM_UPPER || this == TRIM_LOWER;
  }

  public boolean isSetOperator() {
    return this == AND || this == OR || this == UNLESS;
  }

  /** Arithmetic changes what a value means, so the result loses the metric name. */
  public boolean changesMetricSchema() {
    return this == ADD || this == SUB || this == MUL || this == DIV || this == POW || this == MOD || this == ATAN2;
  }

  @Override
  public String toString() {
    return symbol;
  }
}
