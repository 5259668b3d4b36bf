package dev.kiln.promql.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs Prometheus's own PromQL test scripts (directory from the system property
 * {@code promql.testdata}) against Kiln's engine and reports, per file, evals passed, failed and
 * skipped (skips only for start timestamps, which the storage does not model, with the reason).
 * The build fails when an eval listed in {@code conformance-baseline.txt} no longer passes. Run with
 * {@code -Dpromql.conformance.updateBaseline=true} to rewrite the baseline with the current
 * passes; a detailed report goes to {@code target/conformance-report.txt}.
 */
class PromQLConformanceTest {
  private static final Path BASELINE = Paths.get("src/test/resources/conformance-baseline.txt");

  /** The engine settings Prometheus's test engine uses (10,000 samples, 100 s timeout). */
  static Engine testEngine() {
    return new Engine(new EngineOptions(10_000, 100_000, 300_000, 11_000));
  }

  @Test
  void prometheusTestScripts() throws IOException {
    String dir = System.getProperty("promql.testdata");
    assertTrue(dir != null && Files.isDirectory(Paths.get(dir)),
        "system property promql.testdata must name the directory of the .test scripts, got " + dir);
    List<Path> files;
    try (Stream<Path> s = Files.list(Paths.get(dir))) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    TreeSet<String> passing = new TreeSet<>();
    StringBuilder report = new StringBuilder();
    StringBuilder summary = new StringBuilder();
    TreeMap<String, Integer> skipReasons = new TreeMap<>();
    int totalPassed = 0;
    int totalFailed = 0;
    int totalSkipped = 0;
    for (Path f : files) {
      String name = f.getFileName().toString();
      List<ScriptRunner.Outcome> outcomes;
      try {
        List<ScriptCommand> cmds = ScriptParser.parse(Files.readString(f, StandardCharsets.UTF_8));
        outcomes = new ScriptRunner(testEngine()).run(cmds);
      } catch (RuntimeException e) {
        report.append(name).append(": script could not be run: ").append(e).append('\n');
        summary.append(String.format("%-28s script error: %s%n", name, e.getMessage()));
        continue;
      }
      int p = 0;
      int fl = 0;
      int sk = 0;
      for (ScriptRunner.Outcome o : outcomes) {
        switch (o.status()) {
          case PASSED -> {
            p++;
            passing.add(name + ":" + o.line());
          }
          case FAILED -> {
            fl++;
            report.append(name).append(':').append(o.line()).append(" FAILED ").append(o.expr())
                .append("\n    ").append(o.detail()).append('\n');
          }
          case SKIPPED -> {
            sk++;
            skipReasons.merge(o.detail().replaceAll(" \\(query reads.*", ""), 1, Integer::sum);
            report.append(name).append(':').append(o.line()).append(" SKIPPED ").append(o.detail()).append('\n');
          }
        }
      }
      totalPassed += p;
      totalFailed += fl;
      totalSkipped += sk;
      summary.append(String.format("%-28s passed %4d  failed %4d  skipped %4d%n", name, p, fl, sk));
    }
    summary.append(String.format("%-28s passed %4d  failed %4d  skipped %4d%n", "TOTAL", totalPassed,
        totalFailed, totalSkipped));
    skipReasons.forEach((r, n) -> summary.append("  skipped ").append(n).append(": ").append(r).append('\n'));
    System.out.println("PromQL conformance (Prometheus test scripts):\n" + summary);
    Path target = Paths.get("target");
    Files.createDirectories(target);
    Files.writeString(target.resolve("conformance-report.txt"), summary + "\n" + report);

    if (Boolean.getBoolean("promql.conformance.updateBaseline")) {
      Files.createDirectories(BASELINE.getParent());
      Files.writeString(BASELINE, String.join("\n", passing) + "\n");
      return;
    }
    List<String> regressions = new ArrayList<>();
    if (Files.exists(BASELINE)) {
      for (String line : Files.readAllLines(BASELINE)) {
        String l = line.trim();
        if (!l.isEmpty() && !l.startsWith("#") && !passing.contains(l)) {
          regressions.add(l);
        }
      }
    } else {
      fail("missing baseline " + BASELINE.toAbsolutePath()
          + "; create it with -Dpromql.conformance.updateBaseline=true");
    }
    if (!regressions.isEmpty()) {
      fail("evals that passed before now fail (see target/conformance-report.txt): " + regressions);
    }
    TreeSet<String> baseline = new TreeSet<>();
    for (String line : Files.readAllLines(BASELINE)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        baseline.add(line.trim());
      }
    }
    List<String> unrecorded = passing.stream().filter(l -> !baseline.contains(l)).toList();
    if (!unrecorded.isEmpty()) {
      fail("evals pass that the baseline does not list; record them with "
          + "-Dpromql.conformance.updateBaseline=true: " + unrecorded);
    }
  }
}
