package dev.kiln.server.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's shortest round-trip float formatting as the Prometheus API writes sample values:
 * {@code strconv.AppendFloat(f, fmt, -1, 64)} with 'e' below 1e-6 and from 1e21, else 'f'.
 * JDK 17's {@code Double.toString} is not always shortest, so long outputs are re-checked.
 */
public final class GoFloat {
  private GoFloat() {}

  /** A sample value as the API writes it: plain decimal, exponent form outside [1e-6, 1e21). */
  public static String sampleValue(double f) {
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    double abs = Math.abs(f);
    boolean exp = abs != 0 && (abs < 1e-6 || abs >= 1e21);
    return format(f, exp);
  }

  /** Plain decimal always ({@code strconv.FormatFloat(f, 'f', -1, 64)}), as scalar results use. */
  public static String plain(double f) {
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    return format(f, false);
  }

  /** Exponent form always ({@code strconv.FormatFloat(f, 'e', -1, 64)}), as alert values use. */
  public static String exponent(double f) {
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    return format(f, true);
  }

  private static String format(double f, boolean expForm) {
    boolean neg = f < 0 || (f == 0 && Double.doubleToRawLongBits(f) < 0);
    double a = Math.abs(f);
    if (a == 0) {
      return (neg ? "-" : "") + (expForm ? "0e+00" : "0");
    }
    BigDecimal bd = shortest(a);
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale();
    StringBuilder sb = new StringBuilder(24);
    if (neg) {
      sb.append('-');
    }
    if (expForm) {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int ae = Math.abs(exp);
      if (ae < 10) {
        sb.append('0');
      }
      sb.append(ae);
    } else if (exp < 0) {
      sb.append("0.");
      for (int i = -1; i > exp; i--) {
        sb.append('0');
      }
      sb.append(digits);
    } else if (digits.length() <= exp + 1) {
      sb.append(digits);
      for (int i = digits.length(); i <= exp; i++) {
        sb.append('0');
      }
    } else {
      sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
    }
    return sb.toString();
  }

  /**
   * The shortest decimal that reads back as {@code a} (a > 0, finite), trailing zeros stripped.
   * Round-tripping is monotone in the digit count, so one check of a digit less decides whether
   * {@code Double.toString}'s digits are already shortest; only then is a shorter one searched.
   */
  static BigDecimal shortest(double a) {
    BigDecimal bd = new BigDecimal(Double.toString(a)).stripTrailingZeros();
    int len = bd.precision();
    if (len < 2) {
      return bd;
    }
    BigDecimal exact = new BigDecimal(a);
    if (exact.round(new MathContext(len - 1, RoundingMode.HALF_EVEN)).doubleValue() != a) {
      return bd;
    }
    for (int p = 1; p < len; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == a) {
        return r.stripTrailingZeros();
      }
    }
    return bd;
  }
}
