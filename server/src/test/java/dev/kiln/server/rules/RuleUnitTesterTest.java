package dev.kiln.server.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.StaleNaN;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleUnitTesterTest {
  @TempDir Path dir;

  private static final String RULES = """
      groups:
        - name: example
          rules:
            - record: job:up:sum
              expr: sum by (job) (up)
            - alert: InstanceDown
              expr: up == 0
              for: 5m
              labels: {severity: page}
              annotations:
                summary: "Instance {{ $labels.instance }} down"
      """;

  private static final String TESTS = """
      rule_files: [rules.yml]
      evaluation_interval: 1m
      tests:
        - interval: 1m
          input_series:
            - series: 'up{job="prometheus", instance="localhost:9090"}'
              values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0'
            - series: 'up{job="node_exporter", instance="localhost:9100"}'
              values: '1+0x6 0 0 0 0 0 0 0 0'
          alert_rule_test:
            - eval_time: 4m
              alertname: InstanceDown
            - eval_time: 10m
              alertname: InstanceDown
              exp_alerts:
                - exp_labels: {severity: page, instance: "localhost:9090", job: prometheus}
                  exp_annotations: {summary: "Instance localhost:9090 down"}
          promql_expr_test:
            - expr: job:up:sum
              eval_time: 4m
              exp_samples:
                - labels: 'job:up:sum{job="prometheus"}'
                  value: 0
                - labels: 'job:up:sum{job="node_exporter"}'
                  value: 1
      """;

  private boolean run(String tests, ByteArrayOutputStream out) throws Exception {
    Files.writeString(dir.resolve("rules.yml"), RULES);
    Path t = dir.resolve("tests.yml");
    Files.writeString(t, tests);
    return new RuleUnitTester(new PrintStream(out, true, StandardCharsets.UTF_8)).run(t);
  }

  @Test
  void passingFile() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(run(TESTS, out), out.toString());
    assertTrue(out.toString().contains("  SUCCESS"));
  }

  @Test
  void failingFileExplainsTheDifference() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertFalse(run(TESTS.replace("value: 1\n", "value: 2\n").replace("eval_time: 10m", "eval_time: 3m"), out));
    String text = out.toString();
    assertTrue(text.contains("FAILED:"), text);
    assertTrue(text.contains("alertname: InstanceDown, time: 3m"), text);
    assertTrue(text.contains("expr: job:up:sum"), text);
  }

  @Test
  void expandingNotation() {
    assertEquals(Arrays.asList(1.0, 3.0, 5.0, 7.0), SeriesValues.parse("1+2x3"));
    assertEquals(Arrays.asList(1.0, 0.0, -1.0), SeriesValues.parse("1-1x2"));
    assertEquals(Arrays.asList(5.0, 5.0, 5.0, null, null, null, 4.0), SeriesValues.parse("5x2 _x2 _ 4"));
    assertTrue(StaleNaN.is(SeriesValues.parse("stale").get(0)));
  }
}
