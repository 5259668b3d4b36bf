package dev.kiln.server.json;

import dev.kiln.tsdb.model.GoFloats;

/**
 * Float formatting as the Prometheus API writes values; the digits come from
 * {@link GoFloats}, Go's shortest round-trip formatting.
 */
public final class GoFloat {
  private GoFloat() {}

  /** A sample value as the API writes it: plain decimal, exponent form outside [1e-6, 1e21). */
  public static String sampleValue(double f) {
    return GoFloats.sampleValue(f);
  }

  /** Plain decimal always ({@code strconv.FormatFloat(f, 'f', -1, 64)}), as scalar results use. */
  public static String plain(double f) {
    return GoFloats.plain(f);
  }

  /** Exponent form always ({@code strconv.FormatFloat(f, 'e', -1, 64)}), as alert values use. */
  public static String exponent(double f) {
    return GoFloats.exponent(f);
  }
}
