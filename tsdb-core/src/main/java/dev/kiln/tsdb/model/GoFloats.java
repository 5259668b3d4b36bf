package dev.kiln.tsdb.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Go's float parsing and formatting, the one implementation Kiln uses wherever it reads or writes
 * floats as Prometheus does: API values, exposition text, label values, PromQL, templates.
 * Shortest round-trip renderings ({@link #format(double, Notation)}) differ only in where they
 * switch to exponent form, given by a {@link Notation}; {@link #formatFloat} is
 * {@code strconv.FormatFloat} with a precision. Shortest digits come from {@link ShortestDigits}
 * (JDK 17's {@code Double.toString} is not always shortest, and slow), subnormal values from a
 * {@link BigDecimal} search. Stateless and thread-safe.
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

  /** The most bytes {@link #write} writes for one value (plain form of the smallest subnormal). */
  public static final int MAX_WRITTEN_LENGTH = 330;

  /**
   * Shortest digits of {@code f}, in exponent form when the decimal exponent is below
   * {@code minPlainExp} or at least {@code maxPlainExpExclusive}, else in plain decimal.
   */
  private static String format(double f, int minPlainExp, int maxPlainExpExclusive) {
    byte[] buf = new byte[MAX_WRITTEN_LENGTH];
    int n = write(f, minPlainExp, maxPlainExpExclusive, new ShortestDigits(), buf, 0);
    return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  /**
   * Writes {@link #format(double, Notation)} of {@code f} as ASCII into {@code buf} from {@code pos}
   * and returns the position after it, without allocating; {@code buf} must have
   * {@link #MAX_WRITTEN_LENGTH} bytes from {@code pos}. {@code digits} is the caller's scratch
   * (single-thread).
   */
  public static int write(double f, Notation notation, ShortestDigits digits, byte[] buf, int pos) {
    return write(f, notation.minPlainExponent(), notation.plainExponentLimit(), digits, buf, pos);
  }

  private static int write(double f, int minPlainExp, int maxPlainExpExclusive, ShortestDigits sd, byte[] buf, int pos) {
    if (Double.isNaN(f)) {
      return ascii("NaN", buf, pos);
    }
    if (Double.isInfinite(f)) {
      return ascii(f > 0 ? "+Inf" : "-Inf", buf, pos);
    }
    if (Double.doubleToRawLongBits(f) < 0) {
      buf[pos++] = '-';
    }
    double a = Math.abs(f);
    long digits;
    int exp;
    int len;
    if (a == 0) {
      digits = 0;
      exp = 0;
      len = 1;
    } else if (ShortestDigits.handles(a)) {
      sd.set(a);
      digits = sd.digits();
      exp = sd.exponent();
      len = sd.length();
    } else {
      BigDecimal bd = shortest(a);
      digits = bd.unscaledValue().longValueExact();
      len = bd.precision();
      exp = len - 1 - bd.scale();
    }
    if (exp < minPlainExp || exp >= maxPlainExpExclusive) {
      // d.ddde±XX
      int end = pos + len + (len > 1 ? 1 : 0);
      putDigits(buf, end, digits, len, 1);
      pos = end;
      buf[pos++] = 'e';
      buf[pos++] = (byte) (exp < 0 ? '-' : '+');
      int ae = Math.abs(exp);
      if (ae < 10) {
        buf[pos++] = '0';
      }
      int elen = ae >= 100 ? 3 : ae >= 10 ? 2 : 1;
      putDigits(buf, pos + elen, ae, elen, 0);
      return pos + elen;
    }
    if (exp < 0) {
      buf[pos++] = '0';
      buf[pos++] = '.';
      for (int i = -1; i > exp; i--) {
        buf[pos++] = '0';
      }
      putDigits(buf, pos + len, digits, len, 0);
      return pos + len;
    }
    if (len <= exp + 1) {
      putDigits(buf, pos + len, digits, len, 0);
      pos += len;
      for (int i = len; i <= exp; i++) {
        buf[pos++] = '0';
      }
      return pos;
    }
    int end = pos + len + 1;
    putDigits(buf, end, digits, len, exp + 1);
    return end;
  }

  /**
   * Writes the {@code len} decimal digits of {@code d} so that they end before {@code end}, with a
   * '.' after the first {@code pointAfter} digits when {@code 0 < pointAfter < len} (the digits then
   * take one byte more).
   */
  private static void putDigits(byte[] buf, int end, long d, int len, int pointAfter) {
    if (pointAfter > 0 && pointAfter < len) {
      int fraction = len - pointAfter;
      long scale = DecimalDigits.pow10(fraction);
      int p = DecimalDigits.write(buf, end, d % scale, fraction);
      buf[--p] = '.';
      DecimalDigits.write(buf, p, d / scale, pointAfter);
    } else {
      DecimalDigits.write(buf, end, d, len);
    }
  }

  private static int ascii(String s, byte[] buf, int pos) {
    for (int i = 0; i < s.length(); i++) {
      buf[pos++] = (byte) s.charAt(i);
    }
    return pos;
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

  /**
   * The shortest decimal that reads back as {@code a} (a > 0, finite), trailing zeros stripped; of
   * two with as few digits, the one closer to {@code a}'s exact value (ties to an even last digit).
   * A search over digit counts with {@link BigDecimal}: at each count, the decimals just below and
   * just above the exact value are the only candidates (at a power of two the interval of decimals
   * that read back is narrower below than above, so the nearer one may miss where the farther one
   * reads back). Slow: for subnormal values and as the reference of tests.
   */
  public static BigDecimal shortest(double a) {
    BigDecimal exact = new BigDecimal(a);
    for (int p = 1; p <= 17; p++) {
      BigDecimal lo = exact.round(new MathContext(p, RoundingMode.FLOOR));
      BigDecimal hi = exact.round(new MathContext(p, RoundingMode.CEILING));
      boolean loOk = lo.doubleValue() == a;
      boolean hiOk = hi.doubleValue() == a;
      if (loOk && hiOk) {
        int cmp = exact.subtract(lo).compareTo(hi.subtract(exact));
        if (cmp == 0) {
          return (lo.unscaledValue().testBit(0) ? hi : lo).stripTrailingZeros();
        }
        return (cmp < 0 ? lo : hi).stripTrailingZeros();
      }
      if (loOk || hiOk) {
        return (loOk ? lo : hi).stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }
}
