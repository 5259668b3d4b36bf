package dev.kiln.promql.engine;

import dev.kiln.tsdb.model.Labels;

/**
 * One series of an instant-vector result over a {@link Grid}: its labels, whether its metric name
 * is to be dropped when evaluation ends (Prometheus's delayed name removal), and one value per
 * step ({@link Points#ABSENT} where the series has no point). The array is owned by this object;
 * operators may reuse it for their output when they own the input.
 */
final class StepSeries {
  Labels labels;
  boolean dropName;
  final double[] values;

  StepSeries(Labels labels, boolean dropName, double[] values) {
    this.labels = labels;
    this.dropName = dropName;
    this.values = values;
  }

  int presentCount() {
    int n = 0;
    for (double v : values) {
      if (Points.isPresent(v)) {
        n++;
      }
    }
    return n;
  }

  boolean isEmpty() {
    for (double v : values) {
      if (Points.isPresent(v)) {
        return false;
      }
    }
    return true;
  }
}
