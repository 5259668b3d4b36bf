package dev.kiln.server.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final Engine engine = new Engine(EngineOptions.DEFAULTS);
  private final RuleContext ctx = new RuleContext(engine, storage, Labels.of("cluster", "c1"), "http://kiln:9090");
  private final RuleFileParser parser =
      new RuleFileParser(expr -> engine.instantQuery(storage, QueryOptions.DEFAULTS, expr, 0).close());
  private final List<List<AlertSnapshot>> sent = new ArrayList<>();

  private void put(String metric, String instance, long t, double v) {
    Appender a = storage.appender();
    a.append(0, Labels.of("__name__", metric, "instance", instance, "job", "node"), t, v);
    a.commit();
  }

  private List<double[]> read(LabelMatcher... ms) {
    List<double[]> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, ms);
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        while (it.next() != ValueType.NONE) {
          out.add(new double[] {it.atT(), it.atV()});
        }
      }
    }
    return out;
  }

  private RuleGroup group(String yaml) {
    return new RuleGroup(parser.parse("rules.yml", yaml, 60_000, 0).get(0));
  }

  @Test
  void alertGoesPendingFiringResolved() {
    RuleGroup g = group("""
        groups:
          - name: g
            interval: 1m
            rules:
              - alert: InstanceDown
                expr: up == 0
                for: 2m
                labels: {severity: page}
                annotations:
                  summary: "{{ $labels.instance }} of {{ $externalLabels.cluster }} down, value {{ $value }}"
        """);
    AlertingRule rule = (AlertingRule) g.rules().get(0);
    long t0 = 1_000_000;
    for (int i = 0; i <= 3; i++) {
      put("up", "a", t0 + i * 60_000L, 0);
    }
    g.eval(ctx, storage, (e, a) -> sent.add(a), t0, 60_000);
    assertEquals(AlertState.PENDING, rule.state());
    assertEquals(0, sent.size(), "pending alerts are not sent");
    g.eval(ctx, storage, (e, a) -> sent.add(a), t0 + 60_000, 60_000);
    assertEquals(AlertState.PENDING, rule.state());
    g.eval(ctx, storage, (e, a) -> sent.add(a), t0 + 120_000, 60_000);
    assertEquals(AlertState.FIRING, rule.state());
    assertEquals(1, sent.size());
    AlertSnapshot a = sent.get(0).get(0);
    assertEquals(Labels.of("alertname", "InstanceDown", "instance", "a", "job", "node", "severity", "page"), a.labels());
    assertEquals("a of c1 down, value 0", a.annotations().get("summary"));
    assertEquals(t0, a.activeAtMillis());

    List<double[]> alerts = read(LabelMatcher.equal("__name__", "ALERTS"), LabelMatcher.equal("alertstate", "firing"));
    assertEquals(1, alerts.size());
    List<double[]> forState = read(LabelMatcher.equal("__name__", "ALERTS_FOR_STATE"));
    assertEquals(t0 / 1000.0, forState.get(forState.size() - 1)[1]);

    put("up", "a", t0 + 240_000, 1);
    g.eval(ctx, storage, (e, x) -> sent.add(x), t0 + 240_000, 60_000);
    assertEquals(AlertState.INACTIVE, rule.state());
    AlertSnapshot resolved = sent.get(sent.size() - 1).get(0);
    assertEquals(t0 + 240_000, resolved.resolvedAtMillis());
    List<double[]> firing = read(LabelMatcher.equal("__name__", "ALERTS"), LabelMatcher.equal("alertstate", "firing"));
    assertTrue(StaleNaN.is(firing.get(firing.size() - 1)[1]), "ALERTS ends with a stale marker once resolved");
  }

  @Test
  void ruleEvaluationsCommitAskingOnlyToBeWritten() {
    RuleGroup g = group("""
        groups:
          - name: g
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
        """);
    put("up", "a", 0, 1);
    List<dev.kiln.tsdb.storage.Durability> asked = new ArrayList<>();
    dev.kiln.tsdb.storage.Appendable recording = () -> {
      Appender a = storage.appender();
      return new Appender() {
        @Override
        public long append(long ref, Labels labels, long t, double v, dev.kiln.tsdb.storage.AppendOptions o) {
          return a.append(ref, labels, t, v, o);
        }

        @Override
        public void commit(dev.kiln.tsdb.storage.Durability durability) {
          asked.add(durability);
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    };
    g.eval(ctx, recording, AlertSink.NONE, 0, 60_000);
    assertEquals(List.of(dev.kiln.tsdb.storage.Durability.WRITTEN), asked);
    assertEquals(1, read(LabelMatcher.equal("__name__", "job:up:sum")).size());
  }

  @Test
  void keepFiringForHoldsTheAlert() {
    RuleGroup g = group("""
        groups:
          - name: g
            rules:
              - alert: Flappy
                expr: up == 0
                keep_firing_for: 2m
        """);
    AlertingRule rule = (AlertingRule) g.rules().get(0);
    put("up", "a", 0, 0);
    g.eval(ctx, storage, AlertSink.NONE, 0, 60_000);
    assertEquals(AlertState.FIRING, rule.state(), "for: 0 fires at once");
    put("up", "a", 60_000, 1);
    g.eval(ctx, storage, AlertSink.NONE, 60_000, 60_000);
    assertEquals(AlertState.FIRING, rule.state());
    put("up", "a", 120_000, 1);
    g.eval(ctx, storage, AlertSink.NONE, 120_000, 60_000);
    assertEquals(AlertState.FIRING, rule.state());
    put("up", "a", 180_000, 1);
    g.eval(ctx, storage, AlertSink.NONE, 180_000, 60_000);
    assertEquals(AlertState.INACTIVE, rule.state());
  }

  @Test
  void recordingRuleWritesAndStales() {
    RuleGroup g = group("""
        groups:
          - name: g
            labels: {team: infra}
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
                labels: {source: recording}
        """);
    put("up", "a", 0, 1);
    put("up", "b", 0, 1);
    g.eval(ctx, storage, AlertSink.NONE, 0, 60_000);
    List<double[]> rec = read(LabelMatcher.equal("__name__", "job:up:sum"), LabelMatcher.equal("job", "node"),
        LabelMatcher.equal("team", "infra"), LabelMatcher.equal("source", "recording"));
    assertEquals(1, rec.size());
    assertEquals(2.0, rec.get(0)[1]);
    g.eval(ctx, storage, AlertSink.NONE, 600_000, 60_000);
    List<double[]> after = read(LabelMatcher.equal("__name__", "job:up:sum"));
    assertTrue(StaleNaN.is(after.get(after.size() - 1)[1]), "the series stopped, so it is marked stale");
    assertEquals(RuleHealth.OK, g.rules().get(0).health());
  }

  @Test
  void validationReadsLikePromtool() {
    RuleFileException both = assertThrows(RuleFileException.class, () -> parser.parse("r.yml",
        "groups:\n  - name: g\n    rules:\n      - record: a\n        alert: b\n        expr: up\n", 60_000, 0));
    assertTrue(both.getMessage().contains("only one of 'record' and 'alert' must be set"), both.getMessage());
    RuleFileException braces = assertThrows(RuleFileException.class, () -> parser.parse("r.yml",
        "groups:\n  - name: g\n    rules:\n      - record: 'foo{a=\"b\"}'\n        expr: up\n", 60_000, 0));
    assertTrue(braces.getMessage().contains("braces present in the recording rule name"), braces.getMessage());
    RuleFileException expr = assertThrows(RuleFileException.class, () -> parser.parse("r.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: x\n        expr: 'sum(('\n", 60_000, 0));
    assertTrue(expr.getMessage().startsWith("r.yml:4: "), expr.getMessage());
    assertTrue(expr.getMessage().contains("could not parse expression"), expr.getMessage());
    RuleFileException dup = assertThrows(RuleFileException.class, () -> parser.parse("r.yml",
        "groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n", 60_000, 0));
    assertTrue(dup.getMessage().contains("repeated in the same file"), dup.getMessage());
    RuleFileException unknown = assertThrows(RuleFileException.class, () -> parser.parse("r.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: x\n        expr: up\n        severity: high\n", 60_000, 0));
    assertTrue(unknown.getMessage().contains("field severity not found"), unknown.getMessage());
  }

  @Test
  void restoresForStateAfterRestart() {
    long t0 = 10_000_000;
    Appender a = storage.appender();
    a.append(0, Labels.of("__name__", "ALERTS_FOR_STATE", "alertname", "Down", "instance", "a", "job", "node"), t0 - 60_000, (t0 - 600_000) / 1000.0);
    a.commit();
    put("up", "a", t0, 0);
    RuleGroup g = group("groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n");
    g.eval(ctx, storage, AlertSink.NONE, t0, 60_000);
    AlertingRule rule = (AlertingRule) g.rules().get(0);
    assertEquals(t0 - 600_000, rule.alerts().get(0).activeAtMillis());
    assertEquals(AlertState.FIRING, rule.state(), "active for 10m already, longer than for: 5m");
  }
}
