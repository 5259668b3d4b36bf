/**
 * The {@code prometheus.yml} model: {@link dev.kiln.config.ConfigLoader} reads the file through {@link
 * dev.kiln.config.YamlNode} (errors carry file and line) into an immutable {@link dev.kiln.config.PrometheusConfig}
 * with its scrape, remote-write, alerting, storage, OTLP, HTTP client and service-discovery sections.
 */
package dev.kiln.config;
