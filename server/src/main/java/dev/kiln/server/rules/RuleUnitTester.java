package dev.kiln.server.rules;

import dev.kiln.config.ConfigException;
import dev.kiln.config.Globs;
import dev.kiln.config.YamlNode;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.Vector;
import dev.kiln.promql.engine.Engine;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Durations;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code kiln test rules}: runs rule unit-test files in promtool's format (input series in the
 * expanding notation, alert and PromQL expectations at evaluation times) against Kiln's own rule
 * evaluation and PromQL engine.
 */
public final class RuleUnitTester {
  private final PrintStream out;
  private final Engine engine = new Engine(EngineOptions.DEFAULTS);

  public RuleUnitTester(PrintStream out) {
    this.out = out;
  }

  /** Runs one test file; returns true when every test passed. */
  public boolean run(Path file) {
    out.println("Unit Testing:  " + file);
    List<String> failures = new ArrayList<>();
    try {
      YamlNode root = YamlNode.parse(file.toString(), Files.readString(file));
      long evalInterval = root.duration("evaluation_interval", 60_000);
      List<String> ruleFiles = new ArrayList<>();
      Path dir = file.toAbsolutePath().getParent();
      for (String glob : root.strings("rule_files")) {
        for (Path p : Globs.expand(dir, glob)) {
          ruleFiles.add(p.toString());
        }
      }
      List<String> order = root.strings("group_eval_order");
      List<YamlNode> tests = root.get("tests").items();
      root.rejectUnknownKeys("unit test file");
      int index = 0;
      for (YamlNode t : tests) {
        index++;
        failures.addAll(runTest(t, index, ruleFiles, order, evalInterval));
      }
    } catch (IOException e) {
      failures.add("cannot read " + file + ": " + e.getMessage());
    } catch (ConfigException | RuleFileException | IllegalArgumentException | ParseException e) {
      failures.add(e.getMessage());
    }
    if (failures.isEmpty()) {
      out.println("  SUCCESS");
      out.println();
      return true;
    }
    out.println("  FAILED:");
    for (String f : failures) {
      out.println("    " + f.replace("\n", "\n    "));
    }
    out.println();
    return false;
  }

  private List<String> runTest(YamlNode t, int index, List<String> ruleFiles, List<String> order, long evalInterval) {
    List<String> failures = new ArrayList<>();
    String name = t.string("name", "test " + index);
    long interval = t.duration("interval", evalInterval);
    Map<String, String> ext = t.stringMap("external_labels");
    String extUrl = t.string("external_url", "");
    InMemoryStorage storage = new InMemoryStorage();
    Appender app = storage.appender();
    for (YamlNode s : t.get("input_series").items()) {
      Labels labels = selectorLabels(s.string("series", ""));
      List<Double> values = SeriesValues.parse(s.string("values", ""));
      s.rejectUnknownKeys("input series");
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i) != null) {
          app.append(0, labels, i * interval, values.get(i));
        }
      }
    }
    app.commit();
    RuleFileParser parser = new RuleFileParser(expr -> engine.instantQuery(storage, QueryOptions.DEFAULTS, expr, 0).close());
    List<RuleGroup> groups = new ArrayList<>();
    for (String f : ruleFiles) {
      for (RuleGroupSpec g : parser.parse(Path.of(f), evalInterval, 0)) {
        groups.add(new RuleGroup(g));
      }
    }
    if (!order.isEmpty()) {
      groups.sort((a, b) -> Integer.compare(rank(order, a), rank(order, b)));
    }
    List<YamlNode> alertTests = t.get("alert_rule_test").items();
    List<YamlNode> exprTests = t.get("promql_expr_test").items();
    t.get("name");
    t.rejectUnknownKeys("test group");
    TreeMap<Long, List<YamlNode>> alertsAt = new TreeMap<>();
    long maxEval = 0;
    for (YamlNode a : alertTests) {
      long at = a.duration("eval_time", 0);
      alertsAt.computeIfAbsent(at, k -> new ArrayList<>()).add(a);
      maxEval = Math.max(maxEval, at);
    }
    for (YamlNode e : exprTests) {
      maxEval = Math.max(maxEval, e.duration("eval_time", 0));
    }
    RuleContext ctx = new RuleContext(engine, storage, Labels.of(ext), extUrl);
    for (long ts = 0; ts <= maxEval; ts += evalInterval) {
      for (RuleGroup g : groups) {
        g.eval(ctx, storage, AlertSink.NONE, ts, 60_000);
      }
      for (Map.Entry<Long, List<YamlNode>> due : alertsAt.subMap(ts, true, ts + evalInterval, false).entrySet()) {
        for (YamlNode a : due.getValue()) {
          failures.addAll(checkAlerts(name, a, groups, due.getKey()));
        }
      }
    }
    for (YamlNode e : exprTests) {
      failures.addAll(checkExpr(name, e, storage));
    }
    return failures;
  }

  private static int rank(List<String> order, RuleGroup g) {
    int i = order.indexOf(g.spec().name());
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private List<String> checkAlerts(String test, YamlNode a, List<RuleGroup> groups, long at) {
    String alertname = a.string("alertname", "");
    TreeSet<String> expected = new TreeSet<>();
    for (YamlNode e : a.get("exp_alerts").items()) {
      Labels.Builder b = Labels.builder();
      e.stringMap("exp_labels").forEach(b::set);
      b.set("alertname", alertname);
      Labels annotations = Labels.of(e.stringMap("exp_annotations"));
      e.rejectUnknownKeys("expected alert");
      expected.add(b.build() + " " + annotations);
    }
    a.rejectUnknownKeys("alert rule test");
    TreeSet<String> got = new TreeSet<>();
    for (RuleGroup g : groups) {
      for (Rule r : g.rules()) {
        if (r instanceof AlertingRule ar && alertname.equals(r.spec().alert())) {
          for (AlertSnapshot s : ar.alerts()) {
            if (s.state() == AlertState.FIRING) {
              got.add(s.labels() + " " + s.annotations());
            }
          }
        }
      }
    }
    if (expected.equals(got)) {
      return List.of();
    }
    return List.of(test + ": alertname: " + alertname + ", time: " + Durations.format(at) + ",\n    exp: " + expected + ",\n    got: " + got);
  }

  private List<String> checkExpr(String test, YamlNode e, InMemoryStorage storage) {
    String expr = e.string("expr", "");
    long at = e.duration("eval_time", 0);
    TreeMap<Labels, Double> expected = new TreeMap<>();
    for (YamlNode s : e.get("exp_samples").items()) {
      String labels = s.string("labels", "");
      double value = Double.parseDouble(s.string("value", "0"));
      s.rejectUnknownKeys("expected sample");
      expected.put(labels.isEmpty() ? Labels.EMPTY : selectorLabels(labels), value);
    }
    e.rejectUnknownKeys("promql expression test");
    TreeMap<Labels, Double> got = new TreeMap<>();
    try (Query q = engine.instantQuery(storage, QueryOptions.DEFAULTS, expr, at)) {
      QueryResult r = q.exec();
      if (r.value() instanceof Vector v) {
        for (Sample s : v.samples()) {
          got.put(s.labels(), s.value());
        }
      } else if (r.value() instanceof Scalar sc) {
        got.put(Labels.EMPTY, sc.value());
      }
    } catch (RuntimeException ex) {
      return List.of(test + ": expr: " + expr + ", time: " + Durations.format(at) + ", err: " + ex.getMessage());
    }
    boolean same = expected.keySet().equals(got.keySet());
    if (same) {
      for (Map.Entry<Labels, Double> x : expected.entrySet()) {
        double g = got.get(x.getKey());
        double w = x.getValue();
        boolean eq = Double.isNaN(w) ? Double.isNaN(g) : (w == g || Math.abs(w - g) <= 1e-6 * Math.max(Math.abs(w), Math.abs(g)));
        same &= eq;
      }
    }
    if (same) {
      return List.of();
    }
    return List.of(test + ": expr: " + expr + ", time: " + Durations.format(at) + ",\n    exp: " + expected + "\n    got: " + got);
  }

  /** Labels of a selector with only equality matchers, e.g. {@code up{job="a"}}. */
  static Labels selectorLabels(String selector) {
    Labels.Builder b = Labels.builder();
    for (LabelMatcher m : PromQLParser.parseSelector(selector)) {
      if (m.type() != LabelMatcher.Type.EQUAL) {
        throw new IllegalArgumentException("series \"" + selector + "\" may only use = matchers");
      }
      b.set(m.name(), m.value());
    }
    return b.build();
  }
}
