package dev.kiln.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --enable-feature} as Prometheus 2.55 and 3.x read it: comma-separated names, repeated
 * flags merged; known names are kept, names Prometheus has made permanent are warned about as
 * no-ops, and unknown names are warned about and otherwise ignored.
 */
final class FeatureFlags {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureFlags.class);

  /** Feature names Prometheus 2.55 or 3.x accepts. */
  static final Set<String> KNOWN = Set.of(
      "exemplar-storage", "memory-snapshot-on-shutdown", "extra-scrape-metrics", "metadata-wal-records",
      "promql-per-step-stats", "promql-experimental-functions", "created-timestamp-zero-ingestion",
      "concurrent-rule-eval", "delayed-compaction", "promql-delayed-name-removal", "old-ui", "native-histograms",
      "ooo-native-histograms", "otlp-deltatocumulative", "otlp-native-delta-ingestion", "type-and-unit-labels",
      "use-uncached-io", "promql-duration-expr", "auto-reload-config", "utf8-names", "new-service-discovery-manager",
      "expand-external-labels", "auto-gomaxprocs", "auto-gomemlimit", "no-default-scrape-port", "otlp-write-receiver",
      "remote-write-receiver", "agent", "isolation", "unicode-names");

  /** Names Prometheus reports as permanently enabled no-ops. */
  static final Set<String> PERMANENT = Set.of("promql-at-modifier", "promql-negative-offset");

  private FeatureFlags() {}

  /** The known names among the flag values; logs Prometheus's warnings for the rest. */
  static Set<String> parse(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      for (String o : v.split(",", -1)) {
        if (o.isEmpty()) {
          continue;
        }
        if (KNOWN.contains(o)) {
          out.add(o);
          LOG.info("Feature enabled: {}", o);
        } else if (PERMANENT.contains(o)) {
          LOG.warn("This option for --enable-feature is now permanently enabled and therefore a no-op. option={}", o);
        } else {
          LOG.warn("Unknown option for --enable-feature option={}", o);
        }
      }
    }
    return Set.copyOf(out);
  }
}
