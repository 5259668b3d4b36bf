package dev.kiln.promql.ast;

import dev.kiln.tsdb.model.GoFloats;

/** Formats floats the way Go's fmt and strconv do, for messages and label values. */
public final class GoFormat {
  private GoFormat() {}

  /** Go's {@code %g} with shortest representation. */
  public static String g(double v) {
    return GoFloats.formatV(v);
  }

  /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}. */
  public static String plain(double v) {
    return GoFloats.plain(v);
  }

  /** Go's {@code %f}: six decimals. */
  public static String f6(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return String.format(java.util.Locale.ROOT, "%.6f", v);
  }
}
