package dev.kiln.server;

/**
 * The configuration Kiln runs with when no {@code --config.file} is given: scrape Kiln itself and
 * the built-in host metrics every 15 s (the interval Grafana assumes for {@code $__rate_interval}).
 */
final class EmbeddedConfig {
  private EmbeddedConfig() {}

  static String yaml(int port) {
    return """
        # Kiln's embedded default configuration.
        global:
          scrape_interval: 15s
          evaluation_interval: 15s
        scrape_configs:
          - job_name: kiln
            static_configs:
              - targets: ['localhost:%d']
          - job_name: node
            metrics_path: /host/metrics
            static_configs:
              - targets: ['localhost:%d']
        """.formatted(port, port);
  }
}
