package dev.kiln.scraper.scrape;

import java.util.List;
import java.util.Map;

/**
 * The Accept header of a scrape, built from {@code scrape_protocols} as Prometheus's
 * {@code acceptHeader} in scrape/scrape.go builds it: each protocol's media type in order with
 * q-weights counting down from 0.6, {@code escaping=allow-utf-8} on the 1.0.0 text formats, then
 * {@code *}{@code /*} with the next weight.
 */
final class AcceptHeader {
  private AcceptHeader() {}

  /** Prometheus's {@code config.ScrapeProtocolsHeaders}. */
  private static final Map<String, String> MEDIA_TYPES = Map.of(
      "PrometheusProto", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
      "PrometheusText0.0.4", "text/plain;version=0.0.4",
      "PrometheusText1.0.0", "text/plain;version=1.0.0",
      "OpenMetricsText0.0.1", "application/openmetrics-text;version=0.0.1",
      "OpenMetricsText1.0.0", "application/openmetrics-text;version=1.0.0");

  static String of(List<String> protocols) {
    StringBuilder sb = new StringBuilder();
    int weight = MEDIA_TYPES.size() + 1;
    for (String p : protocols) {
      String media = MEDIA_TYPES.get(p);
      if (media == null) {
        throw new IllegalArgumentException("unknown scrape protocol " + p);
      }
      sb.append(media);
      if (p.equals("PrometheusText1.0.0") || p.equals("OpenMetricsText1.0.0")) {
        sb.append(";escaping=allow-utf-8");
      }
      sb.append(";q=0.").append(weight).append(',');
      weight--;
    }
    return sb.append("*/*;q=0.").append(weight).toString();
  }
}
