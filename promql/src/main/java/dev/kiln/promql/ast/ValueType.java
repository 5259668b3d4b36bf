package dev.kiln.promql.ast;

/** The four PromQL value types an expression can evaluate to. */
public enum ValueType {
  SCALAR("scalar"),
  VECTOR("instant vector"),
  MATRIX("range vector"),
  STRING("string");

  private final String displayName;

  ValueType(String displayName) {
    this.displayName = displayName;
  }

  /** The name Prometheus uses in messages, e.g. {@code instant vector}. */
  public String displayName() {
    return displayName;
  }

  /** The name Prometheus uses in API results and the AST JSON, e.g. {@code vector}. */
  public String apiName() {
    return switch (this) {
      case SCALAR -> "scalar";
      case VECTOR -> "vector";
      case MATRIX -> "matrix";
      case STRING -> "string";
    };
  }
}
