package dev.kiln.scraper.parse;


/** Go-compatible float parsing and formatting for exposition values and {@code le}/{@code quantile}. */
public final class GoFloats {
  private GoFloats() {}

  /**
   * Parses a sample value like Go's {@code strconv.ParseFloat}: decimal and exponent forms,
   * {@code NaN}, {@code Inf}, {@code +Inf}, {@code -Inf}, {@code Infinity} (case-insensitive).
   *
   * @throws NumberFormatException for anything else (hex floats, underscores, Java suffixes)
   */
  public static double parse(String s) {
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

  /** Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}. */
  public static String formatG(double v) {
    return dev.kiln.tsdb.model.GoFloats.formatG(v);
  }

  /**
   * Canonical {@code le}/{@code quantile} value as Prometheus 3 writes it: {@link #formatG}, with
   * {@code .0} appended when the result has neither a point nor an exponent.
   * Unparsable values are returned unchanged.
   */
  public static String normalizeBound(String raw) {
    double v;
    try {
      v = parse(raw);
    } catch (NumberFormatException e) {
      return raw;
    }
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    String s = formatG(v);
    if (s.indexOf('.') < 0 && s.indexOf('e') < 0) {
      s = s + ".0";
    }
    return s;
  }
}
