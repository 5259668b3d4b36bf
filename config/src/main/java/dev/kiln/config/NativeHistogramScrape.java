package dev.kiln.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How a scrape job negotiates its exposition format and treats native histograms, as Prometheus
 * 3.x configures it: {@code scrape_protocols}, {@code scrape_native_histograms},
 * {@code always_scrape_classic_histograms}, {@code native_histogram_bucket_limit} and
 * {@code native_histogram_min_bucket_factor}.
 *
 * @param scrapeProtocols protocol names in preference order, or null for the default
 * @param scrapeNativeHistograms whether native histograms are stored, or null when not set
 * @param bucketLimit the most buckets a native histogram may keep after resolution reduction, 0 for no limit
 * @param minBucketFactor the smallest bucket growth factor kept (resolution is reduced below it), 0 for none
 */
public record NativeHistogramScrape(
    List<String> scrapeProtocols,
    Boolean scrapeNativeHistograms,
    boolean alwaysScrapeClassicHistograms,
    int bucketLimit,
    double minBucketFactor) {

  /** The protocol names Prometheus knows, in {@code config.ScrapeProtocolsHeaders} order. */
  public static final List<String> PROTOCOLS = List.of("PrometheusProto", "PrometheusText0.0.4",
      "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0");
  /** Prometheus's {@code DefaultScrapeProtocols}. */
  public static final List<String> DEFAULT_PROTOCOLS =
      List.of("OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4");
  /** Prometheus's {@code DefaultProtoFirstScrapeProtocols}. */
  public static final List<String> PROTO_FIRST_PROTOCOLS = List.of("PrometheusProto", "OpenMetricsText1.0.0",
      "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4");

  /** Nothing set. */
  public static final NativeHistogramScrape UNSET = new NativeHistogramScrape(null, null, false, 0, 0);

  /** Whether native histograms are stored (off unless set, as in Prometheus 3.x). */
  public boolean nativeHistogramsEnabled() {
    return scrapeNativeHistograms != null && scrapeNativeHistograms;
  }

  /** The protocols to negotiate: the configured ones, else proto first when native histograms are on. */
  public List<String> effectiveProtocols() {
    if (scrapeProtocols != null) {
      return scrapeProtocols;
    }
    return nativeHistogramsEnabled() ? PROTO_FIRST_PROTOCOLS : DEFAULT_PROTOCOLS;
  }

  /**
   * These settings under {@code --enable-feature=native-histograms} (Prometheus 2.x/3.0): native
   * histograms stored unless a job turns them off, and PrometheusProto first in the default protocols.
   */
  public NativeHistogramScrape withNativeHistogramsFeature() {
    return new NativeHistogramScrape(scrapeProtocols != null ? scrapeProtocols : PROTO_FIRST_PROTOCOLS,
        scrapeNativeHistograms != null ? scrapeNativeHistograms : Boolean.TRUE, alwaysScrapeClassicHistograms,
        bucketLimit, minBucketFactor);
  }

  /** The global section's settings (only the protocols and the native switch live there). */
  static NativeHistogramScrape parseGlobal(YamlNode n) {
    return new NativeHistogramScrape(protocols(n), optionalBool(n, "scrape_native_histograms"), false, 0, 0);
  }

  /** A job's settings, falling back on the global ones. */
  static NativeHistogramScrape parseJob(YamlNode n, NativeHistogramScrape global) {
    List<String> protocols = protocols(n);
    Boolean scrapeNative = optionalBool(n, "scrape_native_histograms");
    long limit = n.integer("native_histogram_bucket_limit", 0);
    if (limit < 0 || limit > Integer.MAX_VALUE) {
      throw n.error("native_histogram_bucket_limit: out of range: " + limit);
    }
    double factor = 0;
    YamlNode f = n.get("native_histogram_min_bucket_factor");
    if (f.text() != null) {
      try {
        factor = Double.parseDouble(f.text());
      } catch (NumberFormatException e) {
        throw f.error("native_histogram_min_bucket_factor: cannot parse \"" + f.text() + "\" as a float");
      }
    }
    // scrape_classic_histograms is the Prometheus 2.x name of always_scrape_classic_histograms.
    boolean always = n.bool("always_scrape_classic_histograms", false) | n.bool("scrape_classic_histograms", false);
    // Accepted, not applied: classic histograms are not converted to custom-bucket native histograms.
    n.bool("convert_classic_histograms_to_nhcb", false);
    return new NativeHistogramScrape(protocols != null ? protocols : global.scrapeProtocols,
        scrapeNative != null ? scrapeNative : global.scrapeNativeHistograms, always, (int) limit, factor);
  }

  private static Boolean optionalBool(YamlNode n, String key) {
    return n.get(key).absent() ? null : n.bool(key, false);
  }

  private static List<String> protocols(YamlNode n) {
    if (n.get("scrape_protocols").absent()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String p : n.strings("scrape_protocols")) {
      if (!PROTOCOLS.contains(p)) {
        throw n.error("unknown scrape protocol " + p + ", supported: [" + String.join(" ", PROTOCOLS.stream().sorted().toList()) + "]");
      }
      if (out.contains(p)) {
        throw n.error("duplicated protocol in scrape_protocols, got [" + String.join(" ", n.strings("scrape_protocols")) + "]");
      }
      out.add(p);
    }
    return List.copyOf(out);
  }
}
