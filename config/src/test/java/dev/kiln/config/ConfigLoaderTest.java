package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static PrometheusConfig parse(String yaml) {
    return ConfigLoader.parse("prometheus.yml", yaml, Path.of("/etc/kiln"));
  }

  @Test
  void appliesPrometheusDefaults() {
    PrometheusConfig c = parse("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['h:1']}]\n");
    assertEquals(60_000, c.global().scrapeIntervalMillis());
    assertEquals(10_000, c.global().scrapeTimeoutMillis());
    assertEquals(60_000, c.global().evaluationIntervalMillis());
    ScrapeConfig s = c.scrapeConfig("a");
    assertEquals(60_000, s.scrapeIntervalMillis());
    assertEquals(10_000, s.scrapeTimeoutMillis());
    assertEquals("/metrics", s.metricsPath());
    assertEquals("http", s.scheme());
    assertTrue(s.honorTimestamps());
    assertFalse(s.honorLabels());
    assertTrue(c.hostMetrics());
  }

  @Test
  void timeoutDefaultsToTheSmallerOfGlobalTimeoutAndInterval() {
    PrometheusConfig c = parse("global: {scrape_interval: 5s}\nscrape_configs:\n  - job_name: a\n");
    assertEquals(5_000, c.global().scrapeTimeoutMillis());
    assertEquals(5_000, c.scrapeConfig("a").scrapeTimeoutMillis());
  }

  @Test
  void rejectsUnknownFieldsWithFileAndLine() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse("global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n"));
    assertEquals("prometheus.yml:5: field scrape_intervall not found in scrape_config", e.getMessage());
  }

  @Test
  void rejectsBadDurationsAndTimeoutAboveInterval() {
    ConfigException bad = assertThrows(ConfigException.class, () -> parse("global:\n  scrape_interval: 30m1h\n"));
    assertTrue(bad.getMessage().startsWith("prometheus.yml:2: scrape_interval: not a valid duration string"), bad.getMessage());
    ConfigException t = assertThrows(ConfigException.class,
        () -> parse("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n"));
    assertTrue(t.getMessage().contains("scrape timeout greater than scrape interval"), t.getMessage());
  }

  @Test
  void rejectsDuplicateJobsAndBadRelabelConfigs() {
    assertThrows(ConfigException.class, () -> parse("scrape_configs:\n  - job_name: a\n  - job_name: a\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> parse(
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n"));
    assertTrue(e.getMessage().contains("requires non-zero modulus"), e.getMessage());
    ConfigException re = assertThrows(ConfigException.class, () -> parse(
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: '(a)\\1'\n        action: keep\n        source_labels: [x]\n"));
    assertTrue(re.getMessage().contains("invalid regex"), re.getMessage());
  }

  @Test
  void loadsTheContractExample() {
    String yaml = """
        global:
          scrape_interval: 15s
          evaluation_interval: 15s
          external_labels:
            cluster: ${KILN_TEST_UNSET_VARIABLE}
            replica: kiln-0
        rule_files:
          - rules/*.yml
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['127.0.0.1:9093']
        scrape_configs:
          - job_name: kiln
            static_configs:
              - targets: ['127.0.0.1:9090']
          - job_name: node
            scrape_interval: 30s
            file_sd_configs:
              - files: ['targets/node-*.json']
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: 'node_scrape_collector_.*'
                action: drop
          - job_name: pushgateway
            honor_labels: true
            static_configs:
              - targets: ['127.0.0.1:9091']
          - job_name: secured-app
            scheme: https
            metrics_path: /internal/metrics
            params: { format: [prometheus] }
            basic_auth: { username: scraper, password_file: secrets/app.pass }
            tls_config: { ca_file: certs/ca.pem, server_name: app.internal }
            static_configs:
              - targets: ['app.internal:8443']
                labels: { env: prod }
        remote_write:
          - url: http://mimir.example:8080/api/v1/push
            headers: { X-Scope-OrgID: team-a }
            write_relabel_configs:
              - source_labels: [__name__]
                regex: 'go_.*'
                action: drop
            queue_config: { max_samples_per_send: 2000, max_shards: 20 }
        remote_read:
          - url: http://mimir.example:8080/prometheus/api/v1/read
            read_recent: false
        """;
    PrometheusConfig c = parse(yaml);
    assertEquals(4, c.scrapeConfigs().size());
    assertEquals("kiln-0", c.global().externalLabels().get("replica"));
    assertEquals(null, c.global().externalLabels().get("cluster"), "an unset variable expands to an absent label");
    assertEquals(30_000, c.scrapeConfig("node").scrapeIntervalMillis());
    assertEquals("/etc/kiln/targets/node-*.json", c.scrapeConfig("node").fileSdConfigs().get(0).files().get(0));
    assertEquals(Path.of("/etc/kiln/secrets/app.pass"), c.scrapeConfig("secured-app").http().basicAuthPasswordFile());
    assertEquals(1, c.alerting().alertmanagers().size());
    assertEquals("/etc/kiln/rules/*.yml", c.ruleFiles().get(0));
    assertEquals(1, c.remoteWrite().size());
  }

  @Test
  void sizesArePowersOf1024AndNeedAUnit() {
    assertEquals(100L << 20, ByteSizes.parseBytes("100MB"));
    assertEquals(512, ByteSizes.parseBytes("512B"));
    assertEquals(0, ByteSizes.parseBytes("0"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parseBytes("100"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parseBytes("1.5GB"));
  }
}
