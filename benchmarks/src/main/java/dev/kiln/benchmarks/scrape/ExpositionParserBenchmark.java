package dev.kiln.benchmarks.scrape;

import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Exposition parser throughput: a real node_exporter 1.5 page (1,073 lines captured on the project
 * machine) and a generated 100k-line page of labelled counters. Two modes: the scrape loop's hot
 * path (series text only, labels built on a cache miss) and full label construction per sample.
 * Machine: 2 shared cores, JDK 17.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExpositionParserBenchmark {
  @Param({"node_exporter", "100k_lines"})
  public String page;

  private byte[] body;

  @Setup
  public void setup() throws IOException {
    if (page.equals("node_exporter")) {
      try (InputStream in = ExpositionParserBenchmark.class.getResourceAsStream("/node_exporter_metrics.txt")) {
        body = in.readAllBytes();
      }
    } else {
      StringBuilder sb = new StringBuilder("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n");
      for (int i = 0; i < 100_000; i++) {
        sb.append("http_requests_total{method=\"GET\",handler=\"/api/v").append(i % 50).append("\",code=\"").append(200 + i % 5)
            .append("\",pod=\"web-").append(i / 100).append("\"} ").append(i * 7).append('\n');
      }
      body = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Bytes per page, for MB/s figures. */
  public int size() {
    return body.length;
  }

  @Benchmark
  public long seriesTextOnly() {
    long[] n = {0};
    ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries series, double value, long ts) {
        n[0] += raw.length();
      }
    });
    return n[0];
  }

  @Benchmark
  public long withLabels() {
    long[] n = {0};
    ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries series, double value, long ts) {
        n[0] += series.labels().size();
      }
    });
    return n[0];
  }
}
