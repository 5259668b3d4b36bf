package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeHistogramScrapeTest {
  private static PrometheusConfig parse(String yaml) {
    return ConfigLoader.parse("prometheus.yml", yaml, Path.of("/etc/kiln"));
  }

  private static NativeHistogramScrape job(PrometheusConfig c, String name) {
    return c.scrapeConfig(name).histograms();
  }

  private static final String JOBS = """
      scrape_configs:
        - job_name: inherit
          static_configs: [{targets: ['h:1']}]
        - job_name: on
          convert_classic_histograms_to_nhcb: true
          always_scrape_classic_histograms: true
          static_configs: [{targets: ['h:1']}]
        - job_name: off
          convert_classic_histograms_to_nhcb: false
          always_scrape_classic_histograms: false
          static_configs: [{targets: ['h:1']}]
      """;

  @Test
  void createdTimestampZeroFeaturePutsProtobufFirstUnlessProtocolsAreSet() {
    PrometheusConfig c = parse("""
        scrape_configs:
          - job_name: default
          - job_name: text
            scrape_protocols: [PrometheusText0.0.4]
        """);
    NativeHistogramScrape plain = job(c, "default");
    assertEquals(NativeHistogramScrape.DEFAULT_PROTOCOLS, plain.effectiveProtocols());
    NativeHistogramScrape featured = c.scrapeConfig("default").withCreatedTimestampZeroFeature().histograms();
    assertEquals(NativeHistogramScrape.PROTO_FIRST_PROTOCOLS, featured.effectiveProtocols());
    assertFalse(featured.nativeHistogramsEnabled(), "native histograms stay as configured");
    assertEquals(java.util.List.of("PrometheusText0.0.4"),
        c.scrapeConfig("text").withCreatedTimestampZeroFeature().histograms().effectiveProtocols());
  }

  @Test
  void conversionIsOffByDefault() {
    PrometheusConfig c = parse(JOBS);
    assertFalse(job(c, "inherit").convertClassicHistogramsToNhcb());
    assertFalse(job(c, "inherit").alwaysScrapeClassicHistograms());
    assertTrue(job(c, "on").convertClassicHistogramsToNhcb());
    assertTrue(job(c, "on").alwaysScrapeClassicHistograms());
  }

  @Test
  void jobsInheritTheGlobalSwitchesUnlessTheySetTheirOwn() {
    PrometheusConfig c = parse("""
        global:
          convert_classic_histograms_to_nhcb: true
          always_scrape_classic_histograms: true
        """ + JOBS);
    assertTrue(job(c, "inherit").convertClassicHistogramsToNhcb());
    assertTrue(job(c, "inherit").alwaysScrapeClassicHistograms());
    assertFalse(job(c, "off").convertClassicHistogramsToNhcb());
    assertFalse(job(c, "off").alwaysScrapeClassicHistograms());
  }

  @Test
  void legacyClassicSwitchStillTurnsClassicSeriesOn() {
    PrometheusConfig c = parse("""
        scrape_configs:
          - job_name: old
            scrape_classic_histograms: true
            static_configs: [{targets: ['h:1']}]
        """);
    assertTrue(job(c, "old").alwaysScrapeClassicHistograms());
  }

  @Test
  void rejectsANonBooleanSwitch() {
    assertThrows(ConfigException.class, () -> parse("""
        scrape_configs:
          - job_name: bad
            convert_classic_histograms_to_nhcb: maybe
            static_configs: [{targets: ['h:1']}]
        """));
  }
}
