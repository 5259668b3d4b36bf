package dev.kiln.promql.parser;

import dev.kiln.promql.ast.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Argument and return types of the PromQL functions, as Prometheus's
 * {@code promql/parser/functions.go}: the parser checks calls against them.
 */
public final class FunctionSignatures {
  /**
   * A function's signature.
   *
   * @param argTypes declared argument types
   * @param variadic 0: exact; n > 0: the last n arguments are optional; -1: the last argument
   *     repeats any number of times, also none
   */
  public record Signature(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {}

  private static final Map<String, Signature> BY_NAME = new HashMap<>();

  private static void add(String name, ValueType ret, int variadic, ValueType... args) {
    BY_NAME.put(name, new Signature(name, List.of(args), variadic, ret));
  }

  static {
    ValueType v = ValueType.VECTOR;
    ValueType m = ValueType.MATRIX;
    ValueType s = ValueType.SCALAR;
    ValueType str = ValueType.STRING;
    for (String f : List.of("abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sin", "cos",
        "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "rad", "deg",
        "sgn", "absent", "sort", "sort_desc", "timestamp", "histogram_count", "histogram_sum",
        "histogram_avg", "histogram_stddev", "histogram_stdvar", "start_timestamp")) {
      add(f, v, 0, v);
    }
    for (String f : List.of("rate", "increase", "delta", "irate", "idelta", "changes", "resets", "deriv",
        "avg_over_time", "sum_over_time", "count_over_time", "min_over_time", "max_over_time",
        "last_over_time", "first_over_time", "present_over_time", "absent_over_time",
        "stddev_over_time", "stdvar_over_time", "mad_over_time", "ts_of_min_over_time",
        "ts_of_max_over_time", "ts_of_first_over_time", "ts_of_last_over_time")) {
      add(f, v, 0, m);
    }
    for (String f : List.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
        "minute", "month", "year")) {
      add(f, v, 1, v);
    }
    add("quantile_over_time", v, 0, s, m);
    add("predict_linear", v, 0, m, s);
    add("double_exponential_smoothing", v, 0, m, s, s);
    add("clamp", v, 0, v, s, s);
    add("clamp_min", v, 0, v, s);
    add("clamp_max", v, 0, v, s);
    add("round", v, 1, v, s);
    add("histogram_quantile", v, 0, s, v);
    add("histogram_fraction", v, 0, s, s, v);
    add("histogram_quantiles", v, 9, v, str, s, s, s, s, s, s, s, s, s, s);
    add("label_replace", v, 0, v, str, str, str, str);
    add("label_join", v, -1, v, str, str, str);
    add("sort_by_label", v, -1, v, str);
    add("sort_by_label_desc", v, -1, v, str);
    add("info", v, 1, v, v);
    add("pi", s, 0);
    add("time", s, 0);
    add("start", s, 0);
    add("end", s, 0);
    add("range", s, 0);
    add("step", s, 0);
    add("scalar", s, 0, v);
    add("vector", v, 0, s);
    add("min_of", s, 0, s, s);
    add("max_of", s, 0, s, s);
  }

  private FunctionSignatures() {}

  /** The signature of the named function, or null when there is no such function. */
  public static Signature byName(String name) {
    return BY_NAME.get(name);
  }
}
