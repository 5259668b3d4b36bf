package dev.kiln.server.rules;

import dev.kiln.promql.Sample;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A recording rule: its expression's result, renamed and relabelled, stored as new series. */
public final class RecordingRule extends Rule {
  private final Map<String, String> groupLabels;

  RecordingRule(RuleSpec spec, Map<String, String> groupLabels) {
    super(spec);
    this.groupLabels = groupLabels;
  }

  @Override
  List<Sample> eval(RuleContext ctx, long ts, long limit) {
    List<Sample> in = query(ctx, spec.expr(), ts);
    List<Sample> out = new ArrayList<>(in.size());
    Set<Labels> seen = new HashSet<>();
    for (Sample s : in) {
      Labels.Builder b = s.labels().toBuilder();
      b.set(Labels.METRIC_NAME, spec.record());
      groupLabels.forEach(b::set);
      spec.labels().forEach(b::set);
      Labels l = b.build();
      if (!seen.add(l)) {
        throw new RuleEvaluationException("vector contains metrics with the same labelset after applying rule labels");
      }
      out.add(new Sample(l, ts, s.value(), s.histogram()));
    }
    if (limit > 0 && out.size() > limit) {
      throw new RuleEvaluationException("exceeded limit of " + limit + " with " + out.size() + " series");
    }
    return out;
  }
}
