package dev.kiln.promql.engine;

import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregations that select input series rather than combine them: {@code topk},
 * {@code bottomk}, {@code limitk} and {@code limit_ratio}. They keep the input labels. The
 * parameter is checked first ({@link SelectionParams}); then, per step, every input series is
 * offered to its group's {@link StepSelection}, and what each group keeps is collected into the
 * output ({@link SelectedSeries}).
 */
final class SelectingAggregation {
  private final Evaluator ev;

  SelectingAggregation(Evaluator ev) {
    this.ev = ev;
  }

  List<StepSeries> eval(
      Plan.Aggregate a, List<StepSeries> in, double[] param, List<String> grouping, Grid g) {
    if (SelectionParams.selectsNothing(a.op(), param, ev.annotations, a.param().pos())) {
      release(in);
      return new ArrayList<>();
    }
    List<Labels> groupLabels = new ArrayList<>();
    int[] groupOf = Aggregations.assignGroups(in, grouping, a.without(), groupLabels);
    StepSelection selection = selection(a, in, groupLabels.size());
    SelectedSeries out = new SelectedSeries(g.steps(), g.isInstant());
    for (int step = 0; step < g.steps(); step++) {
      ev.control.check();
      if (selection.begin(step, param[step])) {
        offerAll(selection, groupOf, step);
        out.keep(selection, step);
      }
    }
    release(in);
    return out.result(ev.control);
  }

  private StepSelection selection(Plan.Aggregate a, List<StepSeries> in, int groups) {
    AggregateOp op = a.op();
    return switch (op) {
      case TOPK, BOTTOMK -> new RankingSelection(in, groups, op == AggregateOp.BOTTOMK, ev.annotations, a.expr().pos());
      case LIMITK -> new FirstKSelection(in, groups);
      case LIMIT_RATIO -> new RatioSelection(in, groups);
      default -> throw new IllegalStateException("BUG: " + op + " is not a selecting aggregation");
    };
  }

  /** Offers the step's series to their groups, in input order, until the selection is settled. */
  private static void offerAll(StepSelection selection, int[] groupOf, int step) {
    List<StepSeries> in = selection.in;
    for (int si = 0; si < in.size(); si++) {
      if (selection.accepts(in.get(si), step) && selection.offer(groupOf[si], si)) {
        break;
      }
    }
    selection.finish();
  }

  private void release(List<StepSeries> in) {
    long n = 0;
    for (StepSeries s : in) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }
}
