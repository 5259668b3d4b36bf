package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ScrapeLimits;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ScrapeLimitAppender} against Prometheus's {@code limitAppender}, {@code bucketLimitAppender},
 * {@code maxSchemaAppender}, {@code timeLimitAppender} (scrape/target.go) and
 * {@code verifyLabelLimits} (scrape/scrape.go).
 */
class ScrapeLimitAppenderTest {
  /** Records what reaches the storage. */
  static final class Recording implements Appender {
    final List<String> appended = new ArrayList<>();
    boolean committed;
    boolean rolledBack;

    @Override
    public long append(long ref, Labels labels, long t, double value, AppendOptions options) {
      appended.add(labels.metricName() + "@" + t + "=" + (StaleNaN.is(value) ? "stale" : value));
      return appended.size();
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long t, Histogram h, FloatHistogram fh, AppendOptions options) {
      appended.add(labels.metricName() + "@" + t + "=histogram/" + (h != null ? h.schema : fh.schema));
      return appended.size();
    }

    @Override
    public void commit(dev.kiln.tsdb.storage.Durability durability) {
      committed = true;
    }

    @Override
    public void rollback() {
      rolledBack = true;
    }
  }

  private static final long MAX_TIME = 1_000;
  private final Recording storage = new Recording();

  private ScrapeLimitAppender limited(long sampleLimit, long labelLimit, long nameLength, long valueLength) {
    return limited(new ScrapeLimits(0, sampleLimit, labelLimit, nameLength, valueLength, 0, 0), new HistogramLimits(0, 0));
  }

  private ScrapeLimitAppender limited(ScrapeLimits limits, HistogramLimits histogramLimits) {
    return new ScrapeLimitAppender(storage, limits, histogramLimits, MAX_TIME);
  }

  private static Labels series(String name) {
    return Labels.of("__name__", name);
  }

  private static FloatHistogram exponential(int schema, int buckets) {
    FloatHistogram fh = new FloatHistogram();
    fh.schema = schema;
    fh.count = buckets;
    fh.positiveSpans = new Span[] {new Span(0, buckets)};
    fh.positiveBuckets = new double[buckets];
    java.util.Arrays.fill(fh.positiveBuckets, 1);
    return fh;
  }

  private static FloatHistogram customBuckets(int buckets) {
    FloatHistogram fh = exponential(-53, buckets);
    fh.customValues = new double[buckets];
    for (int i = 0; i < buckets; i++) {
      fh.customValues[i] = i + 1;
    }
    return fh;
  }

  @Test
  void theSampleAfterTheLimitAndEveryOneAfterItAreRefused() {
    ScrapeLimitAppender app = limited(2, 0, 0, 0);
    app.append(0, series("a"), 1, 1);
    app.append(0, series("b"), 1, 1);
    assertSame(ScrapeLimitException.SAMPLE_LIMIT, assertThrows(ScrapeLimitException.class,
        () -> app.append(0, series("c"), 1, 1)));
    assertSame(ScrapeLimitException.SAMPLE_LIMIT, assertThrows(ScrapeLimitException.class,
        () -> app.append(7, series("a"), 2, 1)), "a known series is counted too");
    assertEquals(List.of("a@1=1.0", "b@1=1.0"), storage.appended, "refused samples never reach the storage");
    assertEquals("sample limit exceeded", ScrapeLimitException.SAMPLE_LIMIT.getMessage());
  }

  @Test
  void staleMarkersOfKnownSeriesBypassTheSampleLimitOthersCount() {
    ScrapeLimitAppender app = limited(1, 0, 0, 0);
    app.append(0, series("a"), 1, 1);
    // Prometheus: "Bypass sample_limit checks only if we have a staleness marker for a known series".
    app.append(5, series("gone"), 1, StaleNaN.VALUE);
    app.append(6, series("gone2"), 1, StaleNaN.VALUE);
    assertThrows(ScrapeLimitException.class, () -> app.append(0, series("unknown"), 1, StaleNaN.VALUE));
    assertEquals(List.of("a@1=1.0", "gone@1=stale", "gone2@1=stale"), storage.appended);
  }

  @Test
  void nativeHistogramsCountAsOneSampleAndTheirStaleMarkersBypassLikeFloats() {
    ScrapeLimitAppender app = limited(1, 0, 0, 0);
    app.appendHistogram(0, series("h"), 1, null, exponential(0, 2), AppendOptions.NONE);
    FloatHistogram stale = exponential(0, 0);
    stale.sum = StaleNaN.VALUE;
    app.appendHistogram(3, series("h"), 2, null, stale, AppendOptions.NONE);
    assertThrows(ScrapeLimitException.class,
        () -> app.appendHistogram(0, series("h2"), 1, null, exponential(0, 2), AppendOptions.NONE));
    assertThrows(ScrapeLimitException.class, () -> app.append(0, series("f"), 1, 1));
    assertEquals(List.of("h@1=histogram/0", "h@2=histogram/0"), storage.appended);
  }

  @Test
  void zeroLimitsPassEverythingThrough() {
    ScrapeLimitAppender app = limited(0, 0, 0, 0);
    Labels many = Labels.of("__name__", "m", "a", "1", "b", "2", "c", "3", "d".repeat(200), "v".repeat(200));
    for (int i = 0; i < 100; i++) {
      app.append(0, many, i, i);
    }
    app.appendHistogram(0, many, 1, null, customBuckets(500), AppendOptions.NONE);
    assertEquals(101, storage.appended.size());
  }

  @Test
  void aHistogramOverTheBucketLimitIsReducedUntilItFits() {
    ScrapeLimitAppender app = limited(new ScrapeLimits(0, 0, 0, 0, 0, 0, 0), new HistogramLimits(2, 0));
    FloatHistogram fh = exponential(2, 4);
    app.appendHistogram(0, series("h"), 1, null, fh, AppendOptions.NONE);
    // Schema 2 indexes 0..3 become schema 1 indexes 0..2 (3 buckets), then schema 0 indexes 0..1.
    assertEquals(0, fh.schema);
    assertEquals(2, fh.positiveBuckets.length);
    assertEquals(4, fh.positiveBuckets[0] + fh.positiveBuckets[1], "no observation is lost");
    assertEquals(List.of("h@1=histogram/0"), storage.appended);
  }

  @Test
  void minBucketFactorCapsTheSchemaWithoutABucketLimit() {
    ScrapeLimitAppender app = limited(new ScrapeLimits(0, 0, 0, 0, 0, 0, 0), new HistogramLimits(0, 2));
    FloatHistogram fh = exponential(3, 8);
    app.appendHistogram(0, series("h"), 1, null, fh, AppendOptions.NONE);
    assertEquals(List.of("h@1=histogram/0"), storage.appended, "factor 2 is schema 0");
  }

  @Test
  void aHistogramThatCannotFitIsRefusedAndDoesNotCountTowardsTheSampleLimit() {
    ScrapeLimitAppender app = limited(new ScrapeLimits(0, 1, 0, 0, 0, 0, 0), new HistogramLimits(2, 0));
    assertSame(ScrapeLimitException.BUCKET_LIMIT, assertThrows(ScrapeLimitException.class,
        () -> app.appendHistogram(0, series("nhcb"), 1, null, customBuckets(3), AppendOptions.NONE)),
        "custom buckets cannot be merged");
    // bucketLimitAppender wraps limitAppender: the refused histogram was never counted.
    app.append(0, series("f"), 1, 1);
    assertEquals(List.of("f@1=1.0"), storage.appended);
    assertEquals("histogram bucket limit exceeded", ScrapeLimitException.BUCKET_LIMIT.getMessage());
  }

  @Test
  void samplesAfterTheMaximumTimeAreOutOfBoundsAndStillCount() {
    ScrapeLimitAppender app = limited(1, 0, 0, 0);
    AppendException e = assertThrows(AppendException.class, () -> app.append(0, series("future"), MAX_TIME + 1, 1));
    assertEquals(AppendException.Reason.OUT_OF_BOUNDS, e.reason());
    // limitAppender wraps timeLimitAppender: the out-of-bounds sample took the one allowed.
    assertThrows(ScrapeLimitException.class, () -> app.append(0, series("now"), MAX_TIME, 1));
    assertEquals(List.of(), storage.appended);
    ScrapeLimitAppender unlimited = limited(0, 0, 0, 0);
    unlimited.append(0, series("edge"), MAX_TIME, 1);
    assertEquals(List.of("edge@1000=1.0"), storage.appended, "the maximum itself is accepted");
  }

  @Test
  void labelLimitCountsEveryLabelIncludingTheName() {
    ScrapeLimitAppender app = limited(0, 2, 0, 0);
    app.append(0, Labels.of("__name__", "ok", "a", "1"), 1, 1);
    ScrapeLimitException e = assertThrows(ScrapeLimitException.class,
        () -> app.append(0, Labels.of("__name__", "x", "a", "1", "b", "2"), 1, 1));
    assertEquals(ScrapeLimitException.Limit.LABEL, e.limit());
    assertEquals("label_limit exceeded (metric: x, number of labels: 3, limit: 2)", e.getMessage());
    assertEquals(List.of("ok@1=1.0"), storage.appended);
  }

  @Test
  void labelLimitsDoNotCountTheRefusedSampleTowardsTheSampleLimit() {
    ScrapeLimitAppender app = limited(1, 1, 0, 0);
    assertThrows(ScrapeLimitException.class, () -> app.append(0, Labels.of("__name__", "x", "a", "1"), 1, 1));
    app.append(0, series("y"), 1, 1);
    assertEquals(List.of("y@1=1.0"), storage.appended);
  }

  @Test
  void staleMarkersOfKnownSeriesAreNotCheckedAgainstLabelLimits() {
    ScrapeLimitAppender app = limited(0, 1, 0, 0);
    Labels wide = Labels.of("__name__", "x", "a", "1");
    app.append(9, wide, 1, StaleNaN.VALUE);
    assertThrows(ScrapeLimitException.class, () -> app.append(0, wide, 1, StaleNaN.VALUE), "an unknown series is checked");
    assertThrows(ScrapeLimitException.class, () -> app.append(9, wide, 1, 1), "so is a real sample");
    assertEquals(List.of("x@1=stale"), storage.appended);
  }

  @Test
  void labelNameLengthIsInBytes() {
    ScrapeLimitAppender app = limited(0, 0, 8, 0);
    app.append(0, Labels.of("__name__", "x", "abcdefgh", "1"), 1, 1);
    ScrapeLimitException e = assertThrows(ScrapeLimitException.class,
        () -> app.append(0, Labels.of("__name__", "x", "abcdefgé", "1"), 1, 1));
    assertEquals("label_name_length_limit exceeded (metric: x, label name: abcdefgé, length: 9, limit: 8)",
        e.getMessage());
    ScrapeLimitAppender tight = limited(0, 0, 3, 0);
    e = assertThrows(ScrapeLimitException.class, () -> tight.append(0, Labels.of("__name__", "x", "a", "1"), 1, 1));
    assertEquals("label_name_length_limit exceeded (metric: x, label name: __name__, length: 8, limit: 3)",
        e.getMessage(), "__name__ is a label name too");
  }

  @Test
  void labelValueLengthIsInUtf8BytesAndTheMessageTruncatesAndQuotes() {
    ScrapeLimitAppender app = limited(0, 0, 0, 4);
    app.append(0, Labels.of("__name__", "x", "v", "éé"), 1, 1);
    ScrapeLimitException e = assertThrows(ScrapeLimitException.class,
        () -> app.append(0, Labels.of("__name__", "x", "v", "ééé"), 1, 1));
    assertEquals("label_value_length_limit exceeded (metric: x, label name: v, value: \"ééé\", length: 6, limit: 4)",
        e.getMessage(), "3 characters, 6 bytes");
    String longValue = "q\"" + "z".repeat(60);
    e = assertThrows(ScrapeLimitException.class, () -> app.append(0, Labels.of("__name__", "y", "v", longValue), 1, 1));
    assertEquals("label_value_length_limit exceeded (metric: y, label name: v, value: \"q\\\"" + "z".repeat(48)
        + "\", length: 62, limit: 4)", e.getMessage(), "Go's %.50q: the first 50 characters, quoted");
  }

  @Test
  void metricNamesInMessagesAreCutAtFiftyCharacters() {
    ScrapeLimitAppender app = limited(0, 1, 0, 0);
    String name = "m".repeat(70);
    ScrapeLimitException e = assertThrows(ScrapeLimitException.class,
        () -> app.append(0, Labels.of("__name__", name, "a", "1"), 1, 1));
    assertEquals("label_limit exceeded (metric: " + "m".repeat(50) + ", number of labels: 2, limit: 1)", e.getMessage());
  }

  @Test
  void utf8LengthMatchesTheEncoder() {
    for (String s : List.of("", "abc", "é", "ü€", "\uD83D\uDE00x", "日本語")) {
      assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ScrapeLimitAppender.utf8Length(s), s);
    }
  }

  @Test
  void commitAndRollbackReachTheStorage() {
    limited(1, 0, 0, 0).commit();
    limited(1, 0, 0, 0).rollback();
    assertTrue(storage.committed);
    assertTrue(storage.rolledBack);
  }
}
