package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;

/**
 * Evaluates the two operands of a binary operator, at once on two threads when both read enough
 * data from storage: the right one on a {@link Evaluator#sibling sibling evaluator} (its own
 * buffer, annotations and sample count) offered to the engine's workers, the left one on the
 * calling thread, which then runs the right one itself if no worker has started it. The answer,
 * the error and the annotations are those of evaluating the left operand and then the right one:
 *
 * <ul>
 *   <li>a failure of the left operand is thrown as is, after the right one has been stopped;
 *   <li>the right operand counts its samples on a {@link QueryControl#fork fork} of the query's
 *       count, bounded by what was left under the limit when it started, and its highest count is
 *       then checked on top of what the left operand holds, as the sequential count would have
 *       been; if it went over, the limit's error is thrown, whatever the right side ended with;
 *   <li>the right operand's annotations follow the left one's.
 * </ul>
 *
 * Operands are forked only when the engine has workers, the querier allows concurrent
 * selections, and each operand reads storage over at least the span for which the loader itself
 * decodes in parallel ({@link SeriesLoader#minParallelSpanMillis()}). How many series a selection
 * holds is known only once it is selected, so small selections over long spans fork too; they
 * cost one task handed to the workers.
 */
final class BinaryOperands {
  private final Evaluator ev;

  BinaryOperands(Evaluator ev) {
    this.ev = ev;
  }

  /** The values of both operands over {@code g}: left at index 0, right at 1. */
  StepValue[] eval(Plan lhs, Plan rhs, Grid g) {
    if (!worthForking(lhs, rhs, g)) {
      StepValue l = ev.eval(lhs, g);
      return new StepValue[] {l, ev.eval(rhs, g)};
    }
    QueryControl sideControl = ev.control.fork();
    Annotations sideNotes = ev.annotations.sibling();
    Evaluator side = ev.sibling(sideControl, sideNotes);
    ForkedTask<StepValue> right = ev.loader.slices().fork(() -> side.eval(rhs, g));
    long base = ev.control.samples();
    StepValue l;
    try {
      l = ev.eval(lhs, g);
    } catch (RuntimeException | Error e) {
      sideControl.cancel();
      right.settle();
      throw e;
    }
    StepValue r;
    try {
      r = right.join();
    } catch (RuntimeException e) {
      if (sideControl.overLimit() && ev.control.samples() < base) {
        // The fork's bound assumed the left side holds no fewer samples than before it ran.
        return new StepValue[] {l, ev.eval(rhs, g)};
      }
      if (ev.control.takePeak(sideControl)) {
        throw new ExecutionException(QueryControl.TOO_MANY_SAMPLES);
      }
      throw e;
    }
    ev.control.join(sideControl);
    ev.annotations.addAll(sideNotes);
    return new StepValue[] {l, r};
  }

  private boolean worthForking(Plan lhs, Plan rhs, Grid g) {
    if (!ev.loader.parallel() || !ev.querier.concurrentSelect()) {
      return false;
    }
    long min = ev.loader.minParallelSpanMillis();
    return DataRange.span(lhs, g, ev.lookbackMillis, ev.defaultSubqueryStep) >= min
        && DataRange.span(rhs, g, ev.lookbackMillis, ev.defaultSubqueryStep) >= min;
  }
}
