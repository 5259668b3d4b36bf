package dev.kiln.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How a scrape job negotiates its exposition format and treats native histograms, as Prometheus
 * 3.x configures it: {@code scrape_protocols}, {@code scrape_native_histograms},
 * {@code always_scrape_classic_histograms}, {@code convert_classic_histograms_to_nhcb},
 * {@code native_histogram_bucket_limit} and {@code native_histogram_min_bucket_factor}. The global
 * section sets the protocols, {@code scrape_native_histograms}, {@code always_scrape_classic_histograms}
 * and {@code convert_classic_histograms_to_nhcb}; a job's own setting wins over the global one.
 *
 * @param scrapeProtocols protocol names in preference order, or null for the default
 * @param scrapeNativeHistograms whether native histograms are stored, or null when not set
 * @param alwaysScrapeClassicHistograms whether classic series are kept beside a native or converted histogram
 * @param convertClassicHistogramsToNhcb whether classic histograms are stored as native histograms with
 *     custom buckets (schema -53)
 * @param bucketLimit the most buckets a native histogram may keep after resolution reduction, 0 for no limit
 * @param minBucketFactor the smallest bucket growth factor kept (resolution is reduced below it), 0 for none
 */
public record NativeHistogramScrape(
    List<String> scrapeProtocols,
    Boolean scrapeNativeHistograms,
    boolean alwaysScrapeClassicHistograms,
    boolean convertClassicHistogramsToNhcb,
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
  public static final NativeHistogramScrape UNSET = new NativeHistogramScrape(null, null, false, false, 0, 0);

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
        convertClassicHistogramsToNhcb, bucketLimit, minBucketFactor);
  }

  /**
   * These settings under {@code --enable-feature=created-timestamp-zero-ingestion} (Prometheus 3.x):
   * created timestamps come only with the protobuf format, so PrometheusProto goes first in the
   * default protocols; configured protocols and every other setting stay.
   */
  public NativeHistogramScrape withProtobufFirstDefault() {
    return new NativeHistogramScrape(scrapeProtocols != null ? scrapeProtocols : PROTO_FIRST_PROTOCOLS,
        scrapeNativeHistograms, alwaysScrapeClassicHistograms, convertClassicHistogramsToNhcb, bucketLimit,
        minBucketFactor);
  }

  /**
   * The global section's settings: the protocols, the native switch and (as Prometheus 3.x) the
   * classic-histogram switches; the bucket limit and factor are per job only.
   */
  static NativeHistogramScrape parseGlobal(YamlNode n) {
    return new NativeHistogramScrape(protocols(n), optionalBool(n, "scrape_native_histograms"),
        n.bool("always_scrape_classic_histograms", false), n.bool("convert_classic_histograms_to_nhcb", false), 0, 0);
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
    Boolean alwaysSet = optionalBool(n, "always_scrape_classic_histograms");
    Boolean legacySet = optionalBool(n, "scrape_classic_histograms");
    boolean always = alwaysSet == null && legacySet == null ? global.alwaysScrapeClassicHistograms
        : Boolean.TRUE.equals(alwaysSet) || Boolean.TRUE.equals(legacySet);
    Boolean convert = optionalBool(n, "convert_classic_histograms_to_nhcb");
    return new NativeHistogramScrape(protocols != null ? protocols : global.scrapeProtocols,
        scrapeNative != null ? scrapeNative : global.scrapeNativeHistograms, always,
        convert != null ? convert : global.convertClassicHistogramsToNhcb, (int) limit, factor);
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
