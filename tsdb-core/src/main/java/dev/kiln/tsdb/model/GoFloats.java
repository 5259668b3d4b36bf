package dev.kiln.tsdb.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's shortest round-trip float formatting ({@code strconv.FormatFloat(f, fmt, -1, 64)} and
 * {@code fmt}'s {@code %g}/{@code %v}), the one place Kiln renders floats as Prometheus does: in
 * API values, exposition text, label values and PromQL. The variants differ only in when they
 * switch to exponent form. JDK 17's {@code Double.toString} is not always shortest, so its
 * digits are re-checked: the two neighbours with one digit less are parsed back, and only when one
 * of them reads back as the same double is the shortest searched with {@link BigDecimal}.
 */
public final class GoFloats {
  private GoFloats() {}

  /** {@code strconv.FormatFloat(f, 'f', -1, 64)}: plain decimal always. */
  public static String plain(double f) {
    return format(f, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** {@code strconv.FormatFloat(f, 'e', -1, 64)}: exponent form always ({@code 0e+00} for zero). */
  public static String exponent(double f) {
    return format(f, Integer.MAX_VALUE, Integer.MIN_VALUE);
  }

  /** {@code strconv.FormatFloat(f, 'g', -1, 64)}: exponent form below 1e-4 and from 1e6. */
  public static String formatG(double f) {
    return format(f, -4, 6);
  }

  /** {@code fmt}'s {@code %g}/{@code %v} of a float64: exponent form below 1e-4 and from 1e21. */
  public static String formatV(double f) {
    return format(f, -4, 21);
  }

  /** A sample value as the Prometheus API writes it: exponent form below 1e-6 and from 1e21. */
  public static String sampleValue(double f) {
    return format(f, -6, 21);
  }

  /**
   * Shortest digits of {@code f}, in exponent form when the decimal exponent is below
   * {@code minPlainExp} or at least {@code maxPlainExpExclusive}, else in plain decimal.
   */
  private static String format(double f, int minPlainExp, int maxPlainExpExclusive) {
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    boolean neg = Double.doubleToRawLongBits(f) < 0;
    double a = Math.abs(f);
    String digits;
    int exp;
    if (a == 0) {
      digits = "0";
      exp = 0;
    } else {
      Decimal fast = fastDigits(a);
      if (fast != null) {
        exp = fast.exp();
        digits = Long.toString(fast.digits());
      } else {
        BigDecimal bd = shortest(a);
        digits = bd.unscaledValue().toString();
        exp = digits.length() - 1 - bd.scale();
      }
    }
    StringBuilder sb = new StringBuilder(24);
    if (neg) {
      sb.append('-');
    }
    if (exp < minPlainExp || exp >= maxPlainExpExclusive) {
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

  /** {@code digits} (no trailing zeros) with the decimal exponent {@code exp} of the first one. */
  record Decimal(long digits, int exp) {}

  /**
   * The digits of {@code Double.toString(a)} (a > 0, finite) when no decimal with one digit less
   * reads back as {@code a}; null when a shorter decimal may exist. The
   * doubles reading back as {@code a} form an interval that holds {@code Double.toString}'s value;
   * if it held any shorter decimal, it would hold one of the two with one digit less around that
   * value, so parsing those two back decides.
   */
  static Decimal fastDigits(double a) {
    String s = Double.toString(a);
    int e = s.indexOf('E');
    int end = e < 0 ? s.length() : e;
    int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
    int dot = s.indexOf('.');
    long d = 0;
    int n = 0;
    int lead = 0;
    int lastNonZero = 0;
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        continue;
      }
      if (n == 0 && c == '0') {
        lead++;
        continue;
      }
      if (n == 18) {
        return null;
      }
      d = d * 10 + (c - '0');
      n++;
      if (c != '0') {
        lastNonZero = n;
      }
    }
    for (int i = lastNonZero; i < n; i++) {
      d /= 10;
    }
    n = lastNonZero;
    int exp = dot - 1 - lead + exp10;
    if (n >= 2) {
      long q = d / 10;
      int qExp = exp - (n - 2);
      if (decimal(q, qExp) == a || decimal(q + 1, qExp) == a) {
        return null;
      }
    }
    return new Decimal(d, exp);
  }

  private static final double[] POW10 = {
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
      1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

  /**
   * {@code q × 10^e} correctly rounded, as {@code Double.parseDouble} reads it: one exact
   * multiplication or division when both operands are exact doubles (Clinger's fast path).
   */
  private static double decimal(long q, int e) {
    if (q < (1L << 53) && e >= -22 && e <= 22) {
      return e >= 0 ? q * POW10[e] : q / POW10[-e];
    }
    return Double.parseDouble(q + "E" + e);
  }

  /**
   * The shortest decimal that reads back as {@code a} (a > 0, finite), trailing zeros stripped.
   * Round-tripping is monotone in the digit count, so one check of a digit less decides whether
   * {@code Double.toString}'s digits are already shortest; only then is a shorter one searched.
   */
  public static BigDecimal shortest(double a) {
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
