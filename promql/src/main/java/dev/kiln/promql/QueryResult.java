package dev.kiln.promql;

import java.util.List;

/**
 * What a query returns: its value plus annotations. {@code warnings} and {@code infos} are the
 * API's "warnings" and "infos" arrays.
 */
public record QueryResult(Value value, List<String> warnings, List<String> infos) {
  public QueryResult {
    warnings = List.copyOf(warnings);
    infos = List.copyOf(infos);
  }

  public QueryResult(Value value) {
    this(value, List.of(), List.of());
  }
}
