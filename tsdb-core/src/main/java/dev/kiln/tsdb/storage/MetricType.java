package dev.kiln.tsdb.storage;

/** Metric types from the exposition formats, as reported by {@code /api/v1/metadata}. */
public enum MetricType {
  COUNTER("counter"),
  GAUGE("gauge"),
  HISTOGRAM("histogram"),
  GAUGE_HISTOGRAM("gaugehistogram"),
  SUMMARY("summary"),
  INFO("info"),
  STATESET("stateset"),
  UNKNOWN("unknown");

  private final String text;

  MetricType(String text) {
    this.text = text;
  }

  /** The lower-case name used in exposition formats and the HTTP API. */
  public String text() {
    return text;
  }

  /** Parses the exposition spelling; unknown spellings map to {@link #UNKNOWN}. */
  public static MetricType parse(String s) {
    for (MetricType t : values()) {
      if (t.text.equalsIgnoreCase(s)) {
        return t;
      }
    }
    return UNKNOWN;
  }
}
