package dev.kiln.promql;

import java.util.List;

/** An instant vector result. The list is immutable; order is the engine's output order. */
public record Vector(List<Sample> samples) implements Value {
  public Vector {
    samples = List.copyOf(samples);
  }

  @Override
  public String typeName() {
    return "vector";
  }
}
