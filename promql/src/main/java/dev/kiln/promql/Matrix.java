package dev.kiln.promql;

import java.util.List;

/** A range vector (matrix) result: series sorted by labels. The list is immutable. */
public record Matrix(List<RangeSeries> series) implements Value {
  public Matrix {
    series = List.copyOf(series);
  }

  @Override
  public String typeName() {
    return "matrix";
  }
}
