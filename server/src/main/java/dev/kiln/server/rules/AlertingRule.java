package dev.kiln.server.rules;

import dev.kiln.promql.Sample;
import dev.kiln.server.template.AlertTemplates;
import dev.kiln.server.template.TemplateFunction;
import dev.kiln.server.template.TemplateFunctions;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An alerting rule with Prometheus's state machine: a new result is pending, becomes firing
 * after {@code for}, stays firing for {@code keep_firing_for} after its condition clears, then
 * is resolved and kept (and re-sent) for 15 minutes. Produces the {@code ALERTS} and
 * {@code ALERTS_FOR_STATE} series. Evaluated by one thread at a time; readers use
 * {@link #alerts()}.
 */
public final class AlertingRule extends Rule {
  /** How long resolved alerts are kept and re-sent. */
  static final long RESOLVED_RETENTION_MILLIS = 15 * 60_000L;

  private final Map<String, String> groupLabels;
  private final Map<Labels, Alert> active = new LinkedHashMap<>();
  private volatile List<AlertSnapshot> snapshot = List.of();
  private boolean restored;

  AlertingRule(RuleSpec spec, Map<String, String> groupLabels) {
    super(spec);
    this.groupLabels = groupLabels;
  }

  /** The active (pending, firing, recently resolved) alerts as of the last evaluation. */
  public List<AlertSnapshot> alerts() {
    return snapshot;
  }

  /** The rule's state: the most severe state among its alerts. */
  public AlertState state() {
    AlertState max = AlertState.INACTIVE;
    for (AlertSnapshot a : snapshot) {
      if (a.state().ordinal() > max.ordinal()) {
        max = a.state();
      }
    }
    return max;
  }

  /** Carries over alert state from the same rule before a reload. */
  void inherit(AlertingRule old) {
    active.putAll(old.active);
    snapshot = old.snapshot;
    restored = old.restored;
  }

  @Override
  List<Sample> eval(RuleContext ctx, long ts, long limit) {
    List<Sample> result = query(ctx, spec.expr(), ts);
    Map<String, String> ext = ctx.externalLabels().toMap();
    Map<String, TemplateFunction> funcs = TemplateFunctions.create(q -> templateQuery(ctx, q, ts), ctx.externalURL(), ts / 1000.0);
    Map<Labels, Alert> fresh = new HashMap<>();
    for (Sample s : result) {
      Map<String, String> tmplLabels = s.labels().toMap();
      Labels.Builder b = s.labels().toBuilder().delete(Labels.METRIC_NAME);
      groupLabels.forEach(b::set);
      spec.labels().forEach((k, v) -> b.set(k, AlertTemplates.expand("__alert_" + spec.alert(), v, tmplLabels, s.value(), ext, ctx.externalURL(), funcs)));
      b.set("alertname", spec.alert());
      Labels labels = b.build();
      Labels.Builder ab = Labels.builder();
      spec.annotations().forEach((k, v) -> ab.set(k, AlertTemplates.expand("__alert_" + spec.alert(), v, tmplLabels, s.value(), ext, ctx.externalURL(), funcs)));
      if (fresh.containsKey(labels)) {
        throw new RuleEvaluationException("vector contains metrics with the same labelset after applying alert labels");
      }
      fresh.put(labels, new Alert(labels, ab.build(), s.value(), ts));
    }
    for (Map.Entry<Labels, Alert> e : fresh.entrySet()) {
      Alert existing = active.get(e.getKey());
      if (existing != null && existing.state != AlertState.INACTIVE) {
        existing.value = e.getValue().value;
        existing.annotations = e.getValue().annotations;
        continue;
      }
      active.put(e.getKey(), e.getValue());
    }
    for (var it = active.entrySet().iterator(); it.hasNext(); ) {
      Alert a = it.next().getValue();
      if (!fresh.containsKey(a.labels)) {
        if (a.state == AlertState.PENDING || (a.resolvedAt != 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MILLIS)) {
          it.remove();
          continue;
        }
        if (a.state == AlertState.INACTIVE) {
          continue;
        }
        if (spec.keepFiringForMillis() > 0 && a.state == AlertState.FIRING) {
          if (a.keepFiringSince == 0) {
            a.keepFiringSince = ts;
          }
          if (ts - a.keepFiringSince < spec.keepFiringForMillis()) {
            continue;
          }
        }
        a.state = AlertState.INACTIVE;
        a.resolvedAt = ts;
        continue;
      }
      a.keepFiringSince = 0;
      if (a.state == AlertState.PENDING && ts - a.activeAt >= spec.forMillis()) {
        a.state = AlertState.FIRING;
        a.firedAt = ts;
      }
    }
    int numActive = 0;
    for (Alert a : active.values()) {
      if (a.state != AlertState.INACTIVE) {
        numActive++;
      }
    }
    if (limit > 0 && numActive > limit) {
      active.clear();
      snapshot = List.of();
      throw new RuleEvaluationException("exceeded limit of " + limit + " with " + numActive + " alerts");
    }
    List<Sample> out = new ArrayList<>();
    List<AlertSnapshot> snap = new ArrayList<>();
    for (Alert a : active.values()) {
      snap.add(a.snapshot());
      if (a.state == AlertState.INACTIVE) {
        continue;
      }
      out.add(new Sample(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS").set("alertstate", a.state.text()).build(), ts, 1));
      out.add(new Sample(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS_FOR_STATE").build(), ts, a.activeAt / 1000.0));
    }
    snapshot = List.copyOf(snap);
    return out;
  }

  /**
   * Restores {@code activeAt} of pending alerts from the {@code ALERTS_FOR_STATE} series written
   * before a restart, as Prometheus does once after start-up.
   */
  void restoreForState(RuleContext ctx, long ts, long lookbackMillis) {
    if (restored) {
      return;
    }
    restored = true;
    for (Alert a : active.values()) {
      if (a.state != AlertState.PENDING) {
        continue;
      }
      String sel = selector("ALERTS_FOR_STATE", a.labels);
      List<Sample> prev;
      try {
        prev = query(ctx, "last_over_time(" + sel + "[" + Math.max(1, lookbackMillis / 1000) + "s])", ts);
      } catch (RuleEvaluationException e) {
        continue;
      }
      if (prev.isEmpty()) {
        continue;
      }
      long restoredActiveAt = (long) (prev.get(0).value() * 1000);
      if (restoredActiveAt > 0 && restoredActiveAt < a.activeAt) {
        a.activeAt = restoredActiveAt;
        if (ts - a.activeAt >= spec.forMillis()) {
          a.state = AlertState.FIRING;
          a.firedAt = ts;
        }
      }
    }
    List<AlertSnapshot> snap = new ArrayList<>();
    for (Alert a : active.values()) {
      snap.add(a.snapshot());
    }
    snapshot = List.copyOf(snap);
  }

  private static String selector(String name, Labels labels) {
    StringBuilder sb = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels.name(i)).append("=").append(dev.kiln.tsdb.model.GoStrings.quote(labels.value(i)));
    }
    return sb.append('}').toString();
  }

  /** Alerts that need sending now; marks them sent and sets their validity as Prometheus does. */
  List<AlertSnapshot> alertsToSend(long ts, long resendDelay, long interval) {
    List<AlertSnapshot> out = new ArrayList<>();
    for (Alert a : active.values()) {
      if (a.needsSending(ts, resendDelay)) {
        a.lastSentAt = ts;
        long delta = Math.max(resendDelay, interval);
        a.validUntil = ts + 4 * delta;
        out.add(a.snapshot());
      }
    }
    return out;
  }

  private static List<TemplateFunctions.QuerySample> templateQuery(RuleContext ctx, String q, long ts) {
    List<TemplateFunctions.QuerySample> out = new ArrayList<>();
    for (Sample s : query(ctx, q, ts)) {
      out.add(new TemplateFunctions.QuerySample(s.labels().toMap(), s.value()));
    }
    return out;
  }
}
