package dev.kiln.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExemplarsApiTest {
  private static List<String> selectors(String q) {
    List<List<LabelMatcher>> out = new ArrayList<>();
    ExemplarsApi.collectSelectors(PromQLParser.parse(q), out);
    return out.stream().map(ms -> ms.stream().map(LabelMatcher::toString).toList().toString()).toList();
  }

  @Test
  void everyVectorSelectorOfTheQueryIsCollectedInTreeOrder() {
    assertEquals(List.of("[__name__=\"a\"]", "[__name__=\"b\", job=\"x\"]", "[__name__=\"c\"]"),
        selectors("sum(rate(a[5m])) / on() b{job=\"x\"} + max_over_time(c[1m:10s])"));
    assertEquals(List.of(), selectors("1 + 2"));
  }

  @Test
  void writesPrometheusJson() {
    JsonOut out = new JsonOut();
    ExemplarsApi.write(out, List.of(new SeriesExemplars(Labels.of("__name__", "a", "job", "x"),
        List.of(Exemplar.of(Labels.of("trace_id", "t"), 0.5, 1_700_000_000_123L), Exemplar.of(Labels.EMPTY, 1e-7, 2000)))));
    assertEquals("[{\"seriesLabels\":{\"__name__\":\"a\",\"job\":\"x\"},\"exemplars\":["
        + "{\"labels\":{\"trace_id\":\"t\"},\"value\":\"0.5\",\"timestamp\":1700000000.123},"
        + "{\"labels\":{},\"value\":\"1e-07\",\"timestamp\":2}]}]", out.toString());
  }
}
