package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.tsdb.memory.InMemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeManagerTest {
  @TempDir Path dir;

  private static List<String> instances(ScrapeManager m) {
    return m.activeTargets().stream().map(t -> t.labels().get("instance")).sorted().collect(Collectors.toList());
  }

  @Test
  void appliesStaticAndFileTargetsAndReloads() throws Exception {
    Files.writeString(dir.resolve("nodes.json"), "[{\"targets\": [\"10.0.0.1:9100\"], \"labels\": {\"env\": \"prod\"}}]");
    String yaml = """
        scrape_configs:
          - job_name: static
            scrape_interval: 1h
            static_configs: [{targets: ['127.0.0.1:1', '127.0.0.1:2']}]
          - job_name: files
            scrape_interval: 1h
            file_sd_configs: [{files: ['nodes.json']}]
            relabel_configs:
              - source_labels: [env]
                regex: dev
                action: drop
        """;
    PrometheusConfig cfg = ConfigLoader.parse("p.yml", yaml, dir);
    try (ScrapeManager m = new ScrapeManager(new InMemoryStorage(), new JdkHttpFetcher(), Clock.systemUTC(), "Kiln/test", 2)) {
      m.apply(cfg);
      assertEquals(List.of("10.0.0.1:9100", "127.0.0.1:1", "127.0.0.1:2"), instances(m));
      TargetStatus file = m.activeTargets().stream().filter(t -> t.scrapePool().equals("files")).findFirst().orElseThrow();
      assertEquals(dir.resolve("nodes.json").toString(), file.discoveredLabels().get("__meta_filepath"));
      assertEquals("prod", file.labels().get("env"));
      assertEquals(TargetHealth.UNKNOWN, file.health());
      assertEquals("http://10.0.0.1:9100/metrics", file.scrapeUrl());

      String reloaded = yaml.replace("'127.0.0.1:1', ", "");
      m.apply(ConfigLoader.parse("p.yml", reloaded, dir));
      assertEquals(List.of("10.0.0.1:9100", "127.0.0.1:2"), instances(m));

      Files.writeString(dir.resolve("nodes.json"), "[{\"targets\": [\"10.0.0.1:9100\"], \"labels\": {\"env\": \"dev\"}}]");
      Files.setLastModifiedTime(dir.resolve("nodes.json"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (instances(m).size() != 1 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        Thread.sleep(100);
      }
      assertEquals(List.of("127.0.0.1:2"), instances(m), "the changed file is re-read and its target dropped");
      assertTrue(m.droppedTargets().stream().anyMatch(d -> "dev".equals(d.discoveredLabels().get("env"))));
    }
  }
}
