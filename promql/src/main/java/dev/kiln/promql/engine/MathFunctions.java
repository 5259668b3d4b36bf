package dev.kiln.promql.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** The element-wise float functions of PromQL ({@code abs}, {@code ln}, {@code sin}, ...). */
final class MathFunctions {
  private static final Map<String, DoubleUnaryOperator> BY_NAME = new HashMap<>();

  static {
    BY_NAME.put("abs", Math::abs);
    BY_NAME.put("ceil", Math::ceil);
    BY_NAME.put("floor", Math::floor);
    BY_NAME.put("exp", Math::exp);
    BY_NAME.put("sqrt", Math::sqrt);
    BY_NAME.put("ln", Math::log);
    BY_NAME.put("log2", MathFunctions::log2);
    BY_NAME.put("log10", MathFunctions::log10);
    BY_NAME.put("sin", Math::sin);
    BY_NAME.put("cos", Math::cos);
    BY_NAME.put("tan", Math::tan);
    BY_NAME.put("asin", Math::asin);
    BY_NAME.put("acos", Math::acos);
    BY_NAME.put("atan", Math::atan);
    BY_NAME.put("sinh", Math::sinh);
    BY_NAME.put("cosh", Math::cosh);
    BY_NAME.put("tanh", Math::tanh);
    BY_NAME.put("asinh", MathFunctions::asinh);
    BY_NAME.put("acosh", MathFunctions::acosh);
    BY_NAME.put("atanh", MathFunctions::atanh);
    BY_NAME.put("rad", v -> v * Math.PI / 180);
    BY_NAME.put("deg", v -> v * 180 / Math.PI);
    BY_NAME.put("sgn", v -> v < 0 ? -1 : v > 0 ? 1 : v);
  }

  private MathFunctions() {}

  static DoubleUnaryOperator byName(String name) {
    return BY_NAME.get(name);
  }

  /** Go's math.Log2: frexp based, so exact for powers of two and equal to Go's last digit. */
  static double log2(double x) {
    return HistogramStats.log2(x);
  }

  /** Go's math.Log10, {@code log(x) * (1/Ln10)} (Java's {@code Math.log10} differs in the last digit). */
  static double log10(double x) {
    return Math.log(x) * INV_LN10;
  }

  /** 1/ln(10) rounded to a double, as Go's constant expression {@code 1 / Ln10}. */
  private static final double INV_LN10 = 0.43429448190325182765112891891660508229439700580366656611445378316586464920887;

  static double asinh(double x) {
    if (Double.isInfinite(x) || Double.isNaN(x) || x == 0) {
      return x;
    }
    double a = Math.abs(x);
    double r = Math.log(a + Math.sqrt(a * a + 1));
    return x < 0 ? -r : r;
  }

  static double acosh(double x) {
    if (x < 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return 0;
    }
    return Math.log(x + Math.sqrt(x * x - 1));
  }

  static double atanh(double x) {
    if (x < -1 || x > 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (x == -1) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x == 0) {
      return x;
    }
    return 0.5 * Math.log1p(2 * x / (1 - x));
  }
}
