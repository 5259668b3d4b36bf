package dev.kiln.server.differential;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * histogram_quantile of a native histogram as the HTTP API renders it ({@code buckets} of
 * {@code [rule, "lower", "upper", "count"]}, ascending, empty ones left out), by the two rules:
 * Prometheus 3.x's (promql/quantile.go HistogramQuantile: the reverse bucket walk from q = 0.5
 * on, exponential interpolation within exponential buckets) and 2.42's (forward walk, linear
 * interpolation). Histograms with observations in or below the zero bucket are not handled.
 */
final class NativeQuantiles {
  private NativeQuantiles() {}

  static double exponential(double q, JsonNode buckets, double total) {
    int n = buckets.size();
    boolean reverse = q >= 0.5;
    double rank = reverse ? (1 - q) * total : q * total;
    double count = 0;
    JsonNode b = null;
    for (int i = 0; i < n; i++) {
      b = buckets.get(reverse ? n - 1 - i : i);
      count += b.path(3).asDouble();
      if (count >= rank) {
        break;
      }
    }
    double lower = b.path(1).asDouble();
    double upper = b.path(2).asDouble();
    double c = b.path(3).asDouble();
    if (lower <= 0) {
      throw new IllegalArgumentException("zero or negative bucket: " + b);
    }
    count = Math.min(count, total);
    if (count < rank) {
      return upper;
    }
    rank = reverse ? count - rank : rank - (count - c);
    double fraction = rank / c;
    double logLower = log2(lower);
    double logUpper = log2(upper);
    return Math.pow(2, logLower + (logUpper - logLower) * fraction);
  }

  static double linear(double q, JsonNode buckets, double total) {
    double rank = q * total;
    double count = 0;
    JsonNode b = null;
    for (JsonNode x : buckets) {
      b = x;
      count += b.path(3).asDouble();
      if (count >= rank) {
        break;
      }
    }
    double lower = b.path(1).asDouble();
    double upper = b.path(2).asDouble();
    double c = b.path(3).asDouble();
    count = Math.min(count, total);
    if (count < rank) {
      return upper;
    }
    rank -= count - c;
    return lower + (upper - lower) * (rank / c);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
