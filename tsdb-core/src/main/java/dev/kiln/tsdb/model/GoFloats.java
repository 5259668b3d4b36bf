package dev.kiln.tsdb.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's float parsing and formatting, the one implementation Kiln uses wherever it reads or writes
 * floats as Prometheus does: API values, exposition text, label values, PromQL, templates.
 * Shortest round-trip renderings ({@link #format(double, Notation)}) differ only in where they
 * switch to exponent form, given by a {@link Notation}; {@link #formatFloat} is
 * {@code strconv.FormatFloat} with a precision. JDK 17's {@code Double.toString} is not always
 * shortest, so its digits are re-checked: the two neighbours with one digit less are parsed back,
 * and only when one of them reads back as the same double is the shortest searched with
 * {@link BigDecimal}. Stateless and thread-safe.
 */
public final class GoFloats {
  private GoFloats() {}

  /**
   * Where a shortest rendering uses exponent form: when the decimal exponent of the first digit is
   * below {@code minPlainExponent} or at least {@code plainExponentLimit}; plain decimal otherwise.
   */
  public record Notation(int minPlainExponent, int plainExponentLimit) {
    /** {@code strconv.FormatFloat(f, 'f', -1, 64)}: plain decimal always (scalar results, OTLP bounds). */
    public static final Notation PLAIN = new Notation(Integer.MIN_VALUE, Integer.MAX_VALUE);
    /** {@code strconv.FormatFloat(f, 'e', -1, 64)}: exponent form always, {@code 0e+00} for zero (alert values). */
    public static final Notation EXPONENT = new Notation(Integer.MAX_VALUE, Integer.MIN_VALUE);
    /** {@code strconv.FormatFloat(f, 'g', -1, 64)}: exponent form below 1e-4 and from 1e6 (exposition text). */
    public static final Notation G = new Notation(-4, 6);
    /** {@code fmt}'s {@code %g}/{@code %v} of a float64: exponent form below 1e-4 and from 1e21 (PromQL). */
    public static final Notation V = new Notation(-4, 21);
    /** A sample value as the Prometheus HTTP API writes it: exponent form below 1e-6 and from 1e21. */
    public static final Notation API_VALUE = new Notation(-6, 21);
  }

  /** The shortest digits that read back as {@code f}, laid out by {@code notation}; {@code NaN}, {@code +Inf}, {@code -Inf}. */
  public static String format(double f, Notation notation) {
    return format(f, notation.minPlainExponent(), notation.plainExponentLimit());
  }

  /**
   * A float as Prometheus writes {@code le} and {@code quantile} label values
   * ({@code labels.FormatOpenMetricsFloat}): {@link Notation#G}, with {@code .0} appended when the
   * result has neither a point nor an exponent ({@code 1.0}, {@code 1e+06}, {@code 0.25}).
   */
  public static String formatOpenMetrics(double f) {
    String s = format(f, Notation.G);
    if (Double.isNaN(f) || Double.isInfinite(f) || s.indexOf('.') >= 0 || s.indexOf('e') >= 0) {
      return s;
    }
    return s + ".0";
  }

  /**
   * Go's {@code strconv.FormatFloat(f, fmt, prec, 64)} for {@code fmt} {@code 'f'}, {@code 'e'} and
   * {@code 'g'}; a negative {@code prec} means the shortest round-trip digits.
   */
  public static String formatFloat(double f, char fmt, int prec) {
    if (fmt != 'f' && fmt != 'e' && fmt != 'g') {
      throw new IllegalArgumentException("unsupported float format '" + fmt + "'");
    }
    if (prec < 0) {
      return format(f, fmt == 'f' ? Notation.PLAIN : fmt == 'e' ? Notation.EXPONENT : Notation.G);
    }
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    String sign = Double.doubleToRawLongBits(f) < 0 ? "-" : "";
    BigDecimal exact = new BigDecimal(Math.abs(f));
    if (fmt == 'f') {
      return sign + exact.setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
    }
    String digits;
    int exp;
    if (f == 0) {
      digits = "0";
      exp = 0;
    } else {
      int significant = fmt == 'e' ? prec + 1 : Math.max(prec, 1);
      BigDecimal rounded = exact.round(new MathContext(significant, RoundingMode.HALF_EVEN)).stripTrailingZeros();
      digits = rounded.unscaledValue().toString();
      exp = digits.length() - 1 - rounded.scale();
    }
    StringBuilder sb = new StringBuilder(sign);
    if (fmt == 'e') {
      appendExponentForm(sb, digits, exp, prec);
      return sb.toString();
    }
    // %g: exponent form when the exponent is below -4 or at least the precision; no trailing zeros.
    int eprec = prec == 0 ? 1 : prec;
    if (eprec > digits.length() && digits.length() >= exp + 1) {
      eprec = digits.length();
    }
    if (exp < -4 || exp >= eprec) {
      appendExponentForm(sb, digits, exp, digits.length() - 1);
    } else {
      appendPlain(sb, digits, exp);
    }
    return sb.toString();
  }

  /**
   * Parses a float as Prometheus's exposition parsers do ({@code strconv.ParseFloat} restricted to
   * decimal forms): {@link #parse(String, boolean) parse(s, false)}.
   *
   * @throws NumberFormatException for anything else
   */
  public static double parse(String s) {
    return parse(s, false);
  }

  /**
   * Parses a float like Go's {@code strconv.ParseFloat(s, 64)}: decimal and exponent forms,
   * {@code Inf}, {@code +Inf}, {@code -Inf}, {@code Infinity} and {@code NaN} (case-insensitive,
   * no sign on NaN), and, when {@code hexFloats}, hexadecimal mantissas with a binary exponent
   * ({@code 0x1.8p3}), as PromQL reads {@code le} labels. The exposition formats leave hex floats
   * out (Prometheus's text parser rejects {@code p} and {@code _}). No surrounding whitespace, no
   * digit separators.
   *
   * @throws NumberFormatException for anything else (Java suffixes such as {@code 1d}, {@code 1f})
   */
  public static double parse(String s, boolean hexFloats) {
    int n = s.length();
    if (n == 0) {
      throw new NumberFormatException("empty value");
    }
    int i = 0;
    boolean neg = false;
    char c0 = s.charAt(0);
    if (c0 == '+' || c0 == '-') {
      neg = c0 == '-';
      i = 1;
    }
    String rest = s.substring(i);
    if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (rest.equalsIgnoreCase("nan")) {
      if (i > 0) {
        throw new NumberFormatException("invalid value \"" + s + "\"");
      }
      return Double.NaN;
    }
    if (hexFloats && rest.length() > 2 && rest.charAt(0) == '0' && (rest.charAt(1) == 'x' || rest.charAt(1) == 'X')) {
      return parseHex(s, i + 2);
    }
    boolean digits = false;
    boolean dot = false;
    boolean exp = false;
    for (int j = i; j < n; j++) {
      char c = s.charAt(j);
      if (c >= '0' && c <= '9') {
        digits = true;
      } else if (c == '.' && !dot && !exp) {
        dot = true;
      } else if ((c == 'e' || c == 'E') && digits && !exp) {
        exp = true;
        if (j + 1 < n && (s.charAt(j + 1) == '+' || s.charAt(j + 1) == '-')) {
          j++;
        }
        if (j + 1 >= n) {
          throw new NumberFormatException("invalid value \"" + s + "\"");
        }
      } else {
        throw new NumberFormatException("invalid value \"" + s + "\"");
      }
    }
    if (!digits) {
      throw new NumberFormatException("invalid value \"" + s + "\"");
    }
    return Double.parseDouble(s);
  }

  /** A hexadecimal mantissa from {@code from} on, then {@code p} and a decimal exponent (both required). */
  private static double parseHex(String s, int from) {
    int n = s.length();
    boolean digits = false;
    boolean dot = false;
    int j = from;
    for (; j < n; j++) {
      char c = s.charAt(j);
      if (Character.digit(c, 16) >= 0) {
        digits = true;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (!digits || j >= n || (s.charAt(j) != 'p' && s.charAt(j) != 'P')) {
      throw new NumberFormatException("invalid value \"" + s + "\"");
    }
    j++;
    if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
      j++;
    }
    if (j >= n) {
      throw new NumberFormatException("invalid value \"" + s + "\"");
    }
    for (; j < n; j++) {
      if (s.charAt(j) < '0' || s.charAt(j) > '9') {
        throw new NumberFormatException("invalid value \"" + s + "\"");
      }
    }
    return Double.parseDouble(s);
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
      appendExponentForm(sb, digits, exp, digits.length() - 1);
    } else {
      appendPlain(sb, digits, exp);
    }
    return sb.toString();
  }

  /** {@code d.ddde±XX} with exactly {@code fracDigits} digits after the point (zero-padded). */
  private static void appendExponentForm(StringBuilder sb, String digits, int exp, int fracDigits) {
    sb.append(digits.charAt(0));
    if (fracDigits > 0) {
      sb.append('.');
      for (int i = 1; i <= fracDigits; i++) {
        sb.append(i < digits.length() ? digits.charAt(i) : '0');
      }
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    int ae = Math.abs(exp);
    if (ae < 10) {
      sb.append('0');
    }
    sb.append(ae);
  }

  private static void appendPlain(StringBuilder sb, String digits, int exp) {
    if (exp < 0) {
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
