package dev.kiln.server.rules;

import dev.kiln.promql.Sample;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group of rules evaluated in file order at one timestamp; a later rule sees the output of an
 * earlier one. Writes rule output (and stale markers for series that stopped) through the
 * appender, and hands alerts to the sink. Evaluated by one thread at a time.
 */
public final class RuleGroup {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RuleGroup.class);

  private final RuleGroupSpec spec;
  private final List<Rule> rules;
  private final List<Set<Labels>> lastSeries = new ArrayList<>();
  private volatile long lastEvaluationMillis;
  private volatile double evaluationSeconds;
  private boolean firstEval = true;

  RuleGroup(RuleGroupSpec spec) {
    this.spec = spec;
    List<Rule> rs = new ArrayList<>();
    for (RuleSpec r : spec.rules()) {
      rs.add(r.isAlerting() ? new AlertingRule(r, spec.labels()) : new RecordingRule(r, spec.labels()));
      lastSeries.add(new HashSet<>());
    }
    this.rules = List.copyOf(rs);
  }

  public RuleGroupSpec spec() {
    return spec;
  }

  public List<Rule> rules() {
    return rules;
  }

  public long lastEvaluationMillis() {
    return lastEvaluationMillis;
  }

  public double evaluationSeconds() {
    return evaluationSeconds;
  }

  /** Takes over alert state and series bookkeeping from the same group before a reload. */
  void inherit(RuleGroup old) {
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      for (int j = 0; j < old.rules.size(); j++) {
        Rule o = old.rules.get(j);
        if (o.spec.equals(r.spec)) {
          if (r instanceof AlertingRule ar && o instanceof AlertingRule oa) {
            ar.inherit(oa);
          }
          lastSeries.set(i, old.lastSeries.get(j));
          break;
        }
      }
    }
    firstEval = old.firstEval;
  }

  /** Evaluates every rule at {@code ts} (the scheduled tick; the query offset is applied here). */
  void eval(RuleContext ctx, Appendable storage, AlertSink sink, long ts, long resendDelay) {
    long start = System.nanoTime();
    long evalTs = ts - spec.queryOffsetMillis();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      long ruleStart = System.nanoTime();
      try {
        List<Sample> out = rule.eval(ctx, evalTs, spec.limit());
        if (rule instanceof AlertingRule ar && firstEval) {
          ar.restoreForState(ctx, evalTs, 3_600_000L);
        }
        write(storage, i, out, evalTs);
        rule.health = RuleHealth.OK;
        rule.lastError = "";
        if (rule instanceof AlertingRule ar) {
          List<AlertSnapshot> toSend = ar.alertsToSend(evalTs, resendDelay, spec.intervalMillis());
          if (!toSend.isEmpty()) {
            sink.send(rule.spec.expr(), toSend);
          }
        }
      } catch (RuleEvaluationException | dev.kiln.tsdb.storage.StorageException e) {
        rule.health = RuleHealth.ERR;
        rule.lastError = e.getMessage();
        LOG.warn("rule {} in group {} failed: {}", rule.spec.name(), spec.name(), e.getMessage());
      }
      rule.lastEvaluationMillis = ts;
      rule.evaluationSeconds = (System.nanoTime() - ruleStart) / 1e9;
    }
    firstEval = false;
    lastEvaluationMillis = ts;
    evaluationSeconds = (System.nanoTime() - start) / 1e9;
  }

  private void write(Appendable storage, int ruleIndex, List<Sample> out, long ts) {
    Appender app = storage.appender();
    Set<Labels> now = new HashSet<>();
    boolean ok = false;
    try {
      for (Sample s : out) {
        now.add(s.labels());
        try {
          if (s.isHistogram()) {
            app.appendHistogram(0, s.labels(), ts, null, s.histogram(), dev.kiln.tsdb.storage.AppendOptions.NONE);
          } else {
            app.append(0, s.labels(), ts, s.value());
          }
        } catch (AppendException e) {
          LOG.debug("rule sample rejected: {}", e.getMessage());
        }
      }
      for (Labels prev : lastSeries.get(ruleIndex)) {
        if (!now.contains(prev)) {
          try {
            app.append(0, prev, ts, StaleNaN.VALUE);
          } catch (AppendException e) {
            LOG.debug("stale marker rejected: {}", e.getMessage());
          }
        }
      }
      app.commit(dev.kiln.tsdb.storage.Durability.WRITTEN); // nobody is acknowledged for an evaluation
      ok = true;
      lastSeries.set(ruleIndex, now);
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
  }

  /** Prometheus's group evaluation offset: a stable hash of the group key within the interval. */
  long offsetMillis() {
    long h = Labels.of("group", spec.key()).hash64();
    return Long.remainderUnsigned(h, spec.intervalMillis());
  }

  /** Alerts of all alerting rules, for {@code /api/v1/alerts}. */
  public List<Map.Entry<AlertingRule, AlertSnapshot>> alerts() {
    List<Map.Entry<AlertingRule, AlertSnapshot>> out = new ArrayList<>();
    for (Rule r : rules) {
      if (r instanceof AlertingRule ar) {
        for (AlertSnapshot a : ar.alerts()) {
          out.add(Map.entry(ar, a));
        }
      }
    }
    return out;
  }
}
