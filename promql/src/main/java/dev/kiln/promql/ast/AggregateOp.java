package dev.kiln.promql.ast;

import java.util.Locale;

/** PromQL aggregation operators. */
public enum AggregateOp {
  SUM,
  AVG,
  MIN,
  MAX,
  COUNT,
  GROUP,
  STDDEV,
  STDVAR,
  TOPK,
  BOTTOMK,
  QUANTILE,
  COUNT_VALUES,
  LIMITK,
  LIMIT_RATIO;

  /** The operator named {@code name} in any letter case (aggregators are keywords), or null. */
  public static AggregateOp byName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True when the operator takes a parameter before the vector: {@code topk(3, x)}. */
  public boolean hasParameter() {
    return this == TOPK || this == BOTTOMK || this == QUANTILE || this == COUNT_VALUES || this == LIMITK
        || this == LIMIT_RATIO;
  }

  /** The type the parameter must have. */
  public ValueType parameterType() {
    return this == COUNT_VALUES ? ValueType.STRING : ValueType.SCALAR;
  }

  /** How the operator is written, e.g. {@code count_values}. */
  public String symbol() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return symbol();
  }
}
