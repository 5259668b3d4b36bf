package dev.kiln.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The worked examples of Grafana's interval math (scrape 15 s unless noted). */
class GrafanaVariablesTest {
  private static String sub(String e, long stepMs, long rangeMs, long scrapeMs) {
    return GrafanaVariables.substitute(e, stepMs, rangeMs, scrapeMs);
  }

  @Test
  void workedExamples() {
    assertEquals("15s 1m0s", sub("$__interval $__rate_interval", 15_000, 3_600_000, 15_000));
    assertEquals("20s 1m0s", sub("$__interval ${__rate_interval}", 20_000, 21_600_000, 0));
    assertEquals("10m 10m15s", sub("$__interval $__rate_interval", 600_000, 7 * 86_400_000L, 15_000));
    assertEquals("30s 2m0s", sub("$__interval $__rate_interval", 30_000, 3_600_000, 30_000));
    assertEquals("1m", sub("$__interval", 90_000, 3_600_000, 15_000), "truncated to the largest whole unit");
  }

  @Test
  void rangeAndMillisecondForms() {
    assertEquals("21600s 21600 21600000 15000 60000",
        sub("$__range $__range_s $__range_ms $__interval_ms $__rate_interval_ms", 15_000, 21_600_000, 15_000));
    assertEquals("rate(x[1h0m0s])", sub("rate(x[$__rate_interval])", 3_585_000, 3_600_000, 15_000));
    assertEquals("no variables", sub("no variables", 15_000, 0, 0));
  }
}
