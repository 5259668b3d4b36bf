package dev.kiln.tsdb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link Appendable}/{@link Queryable} contract, run against every implementation. */
class StorageContractTest {
  @TempDir static Path tmp;
  private static int dirs;

  /** A storage under test and how to close it. */
  record Subject(Appendable appendable, Queryable queryable, AutoCloseable closer) {}

  static Stream<Arguments> storages() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("InMemoryStorage", (Function<Path, Subject>) p -> {
      InMemoryStorage s = new InMemoryStorage();
      return new Subject(s, s, s);
    }));
    out.add(Arguments.of("Head", (Function<Path, Subject>) p -> {
      Head h = Head.inMemory();
      return new Subject(h, h, h);
    }));
    out.add(Arguments.of("Db", (Function<Path, Subject>) p -> {
      Db d = Db.open(p, DbOptions.defaults());
      return new Subject(d, d, d);
    }));
    out.add(Arguments.of("Block (head written as a block at each read)", (Function<Path, Subject>) p -> {
      Head h = Head.inMemory();
      Queryable asBlock = (mint, maxt) -> {
        try {
          java.nio.file.Files.createDirectories(p);
          var meta = dev.kiln.tsdb.compact.HeadBlockWriter.write(
              dev.kiln.tsdb.io.FileIo.DEFAULT, p, h, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
          if (meta == null) {
            return h.querier(mint, maxt); // nothing to write: an empty head
          }
          var block = dev.kiln.tsdb.block.Block.open(dev.kiln.tsdb.io.FileIo.DEFAULT, p.resolve(meta.ulid().toString()));
          Querier q = block.querier(mint, maxt);
          block.close(); // unmaps once the querier is closed
          return q;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
      return new Subject(h, asBlock, h);
    }));
    return out.stream();
  }

  private static Subject open(Function<Path, Subject> factory) {
    return factory.apply(tmp.resolve("db" + (dirs++)));
  }

  private static List<String> series(Queryable q, long mint, long maxt, LabelMatcher... ms) {
    List<String> out = new ArrayList<>();
    try (Querier querier = q.querier(mint, maxt)) {
      SeriesSet set = querier.select(true, null, ms);
      while (set.next()) {
        StringBuilder sb = new StringBuilder(set.at().labels().toString());
        SampleIterator it = set.at().iterator(null);
        while (it.next() == ValueType.FLOAT) {
          sb.append(' ').append(it.atT()).append('=').append(Long.toHexString(Double.doubleToRawLongBits(it.atV())));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("storages")
  void commitMakesVisibleRollbackDiscards(String name, Function<Path, Subject> factory) throws Exception {
    Subject s = open(factory);
    Labels a = Labels.of("__name__", "m", "k", "a");
    Appender app = s.appendable().appender();
    app.append(0, a, 10, 1);
    app.append(0, Labels.of("__name__", "m", "k", "b"), 10, StaleNaN.VALUE);
    assertEquals(List.of(), series(s.queryable(), 0, 100, LabelMatcher.equal("__name__", "m")));
    app.commit();
    Appender gone = s.appendable().appender();
    gone.append(0, a, 20, 2);
    gone.rollback();
    assertEquals(
        List.of("{__name__=\"m\", k=\"a\"} 10=3ff0000000000000", "{__name__=\"m\", k=\"b\"} 10=7ff0000000000002"),
        series(s.queryable(), 0, 100, LabelMatcher.equal("__name__", "m")));
    s.closer().close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("storages")
  void rejectsOutOfOrderAndConflictingDuplicates(String name, Function<Path, Subject> factory) throws Exception {
    Subject s = open(factory);
    Labels a = Labels.of("__name__", "m");
    Appender first = s.appendable().appender();
    first.append(0, a, 100, 1);
    first.commit();
    Appender app = s.appendable().appender();
    assertEquals(AppendException.Reason.OUT_OF_ORDER,
        assertThrows(AppendException.class, () -> app.append(0, a, 99, 1)).reason());
    assertEquals(AppendException.Reason.DUPLICATE_SAMPLE,
        assertThrows(AppendException.class, () -> app.append(0, a, 100, 2)).reason());
    app.append(0, a, 100, 1); // identical: accepted, stored once
    app.append(0, a, 101, 3);
    app.commit();
    assertEquals(List.of("{__name__=\"m\"} 100=3ff0000000000000 101=4008000000000000"),
        series(s.queryable(), 0, 1000, LabelMatcher.equal("__name__", "m")));
    s.closer().close();
  }

  /**
   * As in Prometheus, appends are checked against stored samples; a sample that is not newer than
   * an earlier one of the same batch is dropped at commit, the earlier one wins, and no error is
   * raised (a remote-write request or scrape with a series twice is accepted).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("storages")
  void withinOneBatchTheFirstSampleOfATimestampWins(String name, Function<Path, Subject> factory) throws Exception {
    Subject s = open(factory);
    Labels a = Labels.of("__name__", "m");
    Appender first = s.appendable().appender();
    first.append(0, a, 100, 1);
    first.commit();
    Appender app = s.appendable().appender();
    app.append(0, a, 105, 5);
    app.append(0, a, 105, 6); // same timestamp, other value: dropped
    app.append(0, a, 102, 2); // older than the batch's 105 but newer than stored: dropped
    assertEquals(AppendException.Reason.OUT_OF_ORDER,
        assertThrows(AppendException.class, () -> app.append(0, a, 99, 1)).reason());
    app.append(0, a, 110, 7);
    app.commit();
    assertEquals(List.of("{__name__=\"m\"} 100=3ff0000000000000 105=4014000000000000 110=401c000000000000"),
        series(s.queryable(), 0, 1000, LabelMatcher.equal("__name__", "m")));
    s.closer().close();
  }

  private static dev.kiln.tsdb.histogram.Histogram hist(long k) {
    dev.kiln.tsdb.histogram.Histogram h = new dev.kiln.tsdb.histogram.Histogram();
    h.schema = 1;
    h.zeroThreshold = 0.001;
    h.zeroCount = k;
    h.positiveSpans = new dev.kiln.tsdb.histogram.Span[] {new dev.kiln.tsdb.histogram.Span(0, 2)};
    h.positiveBuckets = new long[] {k, 0};
    h.count = 3 * k;
    h.sum = 1.5 * k;
    return h;
  }

  private static List<String> histograms(Queryable q, String name) {
    List<String> out = new ArrayList<>();
    try (Querier querier = q.querier(0, Long.MAX_VALUE)) {
      SeriesSet set = querier.select(true, null, LabelMatcher.equal("__name__", name));
      while (set.next()) {
        SampleIterator it = set.at().iterator(null);
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          out.add(it.atT() + "=" + (vt == ValueType.FLOAT ? Double.toString(it.atV()) : it.atFloatHistogram(null).toString()));
        }
      }
    }
    return out;
  }

  /** Native histograms: stored and read back; duplicates and order as for floats. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("storages")
  void storesNativeHistogramsWithTheSampleRules(String name, Function<Path, Subject> factory) throws Exception {
    Subject s = open(factory);
    Labels a = Labels.of("__name__", "h");
    Appender first = s.appendable().appender();
    first.appendHistogram(0, a, 100, hist(1), null, AppendOptions.NONE);
    first.commit();
    Appender app = s.appendable().appender();
    assertEquals(AppendException.Reason.OUT_OF_ORDER, assertThrows(AppendException.class,
        () -> app.appendHistogram(0, a, 99, hist(1), null, AppendOptions.NONE)).reason());
    assertEquals(AppendException.Reason.DUPLICATE_SAMPLE, assertThrows(AppendException.class,
        () -> app.appendHistogram(0, a, 100, hist(2), null, AppendOptions.NONE)).reason());
    app.appendHistogram(0, a, 100, hist(1), null, AppendOptions.NONE); // identical: stored once
    app.appendHistogram(0, a, 110, hist(3), null, AppendOptions.NONE);
    app.appendHistogram(0, a, 105, hist(2), null, AppendOptions.NONE); // older than the batch's: dropped
    app.appendHistogram(0, a, 120, null, hist(4).toFloat(null), AppendOptions.NONE);
    app.commit();
    assertEquals(List.of("100=" + hist(1).toFloat(null), "110=" + hist(3).toFloat(null),
        "120=" + hist(4).toFloat(null)), histograms(s.queryable(), "h"));
    s.closer().close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("storages")
  void labelQueriesHonourMatchersEmptyValuesAndRange(String name, Function<Path, Subject> factory) throws Exception {
    Subject s = open(factory);
    Appender app = s.appendable().appender();
    app.append(0, Labels.of("__name__", "up", "job", "api", "env", "prod"), 10, 1);
    app.append(0, Labels.of("__name__", "up", "job", "db"), 20, 1);
    app.append(0, Labels.of("__name__", "cpu", "job", "db"), 500, 1);
    app.commit();
    try (Querier q = s.queryable().querier(0, 100)) {
      assertEquals(List.of("__name__", "env", "job"), q.labelNames());
      assertEquals(List.of("api", "db"), q.labelValues("job"));
      assertEquals(List.of("db"), q.labelValues("job", LabelMatcher.equal("env", "")));
      assertEquals(List.of("api"), q.labelValues("job", LabelMatcher.notEqual("env", "")));
      assertEquals(List.of("__name__", "job"), q.labelNames(LabelMatcher.regex("job", "d.")));
      assertEquals(List.of("up"), q.labelValues("__name__"));
    }
    assertEquals(1, series(s.queryable(), 0, 1000, LabelMatcher.regex("__name__", "c.+")).size());
    assertEquals(2, series(s.queryable(), 0, 1000, LabelMatcher.regex("job", "db|nope")).size());
    assertEquals(1, series(s.queryable(), 15, 1000, LabelMatcher.equal("__name__", "up")).size());
    s.closer().close();
  }
}
