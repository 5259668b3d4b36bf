package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.scraper.parse.TextParseErrorTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus 2.42 and Kiln scrape text-format pages that do not parse (one job each); the
 * targets' {@code lastError} must be the same text, Kiln's after its {@code line N: } prefix.
 */
class ScrapeErrorDifferentialTest {
  private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

  @TempDir Path dir;

  @Test
  void textParseErrorsReadAsPrometheus() throws Exception {
    List<String> pages = new ArrayList<>(TextParseErrorTest.PAGES.keySet());
    try (ExporterStub exporter = new ExporterStub()) {
      StringBuilder cfg = new StringBuilder("global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n");
      for (int i = 0; i < pages.size(); i++) {
        exporter.serve("/p" + i, new ExporterStub.Page(pages.get(i), TEXT));
        cfg.append("  - job_name: p").append(i).append("\n    metrics_path: /p").append(i)
            .append("\n    static_configs: [{targets: ['").append(exporter.address()).append("']}]\n");
      }
      Path config = dir.resolve("scrape.yml");
      Files.writeString(config, cfg);
      try (ServerPair pair = ServerPair.start(dir, config)) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !allScraped(exporter, pages.size())) {
          Thread.sleep(100);
        }
        assertTrue(allScraped(exporter, pages.size()), "every page scraped twice by both");
        Map<String, String> p = errors(pair.prom, false);
        Map<String, String> k = errors(pair.kil, true);
        assertEquals(pages.size(), p.size(), p.toString());
        List<String> differences = new ArrayList<>();
        for (String job : p.keySet()) {
          String page = pages.get(Integer.parseInt(job.substring(1)));
          if (!p.get(job).equals(k.get(job))) {
            differences.add(page.replace("\n", "\\n") + ": Prometheus [" + p.get(job) + "], Kiln [" + k.get(job) + "]");
          }
        }
        assertEquals("", String.join("\n", differences));
      }
    }
  }

  private static boolean allScraped(ExporterStub exporter, int n) {
    for (int i = 0; i < n; i++) {
      if (exporter.scrapes("Prometheus", "/p" + i) < 2 || exporter.scrapes("Kiln", "/p" + i) < 2) {
        return false;
      }
    }
    return true;
  }

  /** Job to the target's last error, Kiln's without its {@code line N: } prefix. */
  private static Map<String, String> errors(ApiClient api, boolean kiln) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode t : api.get("/api/v1/targets").data().path("activeTargets")) {
      String e = t.path("lastError").asText();
      out.put(t.path("labels").path("job").asText(), kiln ? e.replaceFirst("^line \\d+: ", "") : e);
    }
    return out;
  }
}
