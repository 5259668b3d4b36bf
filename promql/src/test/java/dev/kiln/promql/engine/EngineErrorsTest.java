package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.QueryOptions;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import org.junit.jupiter.api.Test;

/** Errors raised while evaluating, with Prometheus's texts and error types. */
class EngineErrorsTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final Engine engine = new Engine(EngineOptions.DEFAULTS);

  EngineErrorsTest() {
    Appender app = storage.appender();
    app.append(0, Labels.of("__name__", "a", "job", "x", "i", "1"), 0, 1, AppendOptions.NONE);
    app.append(0, Labels.of("__name__", "b", "job", "x", "i", "1"), 0, 2, AppendOptions.NONE);
    app.append(0, Labels.of("__name__", "b", "job", "x", "i", "2"), 0, 3, AppendOptions.NONE);
    app.commit();
  }

  private String execError(String q) {
    return assertThrows(ExecutionException.class,
        () -> engine.instantQuery(storage, QueryOptions.DEFAULTS, q, 10_000).exec()).getMessage();
  }

  @Test
  void invalidLabelNamesAreQuotedByteForByte() {
    assertEquals("invalid label name \"a\\xc5z\"", execError("count_values(\"a\\xc5z\", a)"));
  }

  @Test
  void matchingErrors() {
    assertEquals("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
        execError("b + on(job) a"));
    assertEquals("found duplicate series for the match group {job=\"x\"} on the right hand-side of the operation: "
        + "[{__name__=\"b\", i=\"1\", job=\"x\"}, {__name__=\"b\", i=\"2\", job=\"x\"}];many-to-many matching not "
        + "allowed: matching labels must be unique on one side", execError("a + on(job) b"));
  }

  @Test
  void duplicateLabelSetsAfterNameRemoval() {
    assertEquals("vector cannot contain metrics with the same labelset", execError("-{job=\"x\", i=\"1\"}"));
  }

  @Test
  void parameterErrors() {
    assertEquals("Parameter value is NaN", execError("topk(NaN, a)"));
    assertThrows(ParseException.class,
        () -> engine.instantQuery(storage, QueryOptions.DEFAULTS, "topk(\"x\", a)", 0));
  }
}
