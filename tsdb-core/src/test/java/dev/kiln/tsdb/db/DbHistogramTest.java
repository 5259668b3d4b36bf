package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms through the database: appended, queried from the head, replayed from the
 * write-ahead log and from head chunk files after a restart, mixed with float samples.
 */
class DbHistogramTest {
  @TempDir Path dir;

  static final Labels LAT = Labels.of("__name__", "rpc_duration_seconds", "job", "api");
  static final Labels GAUGE = Labels.of("__name__", "queue_fill", "job", "api");

  /** A client-like exponential histogram after {@code i} scrapes (schema 2, growing buckets). */
  static Histogram histogram(int i, long seed) {
    Random r = new Random(seed * 31 + i);
    Histogram h = new Histogram();
    h.schema = 2;
    h.zeroThreshold = Math.scalb(1.0, -128);
    int width = 4 + Math.min(i / 20, 6); // the layout widens now and then
    h.positiveSpans = new Span[] {new Span(-3, width)};
    h.positiveBuckets = new long[width];
    long prev = 0;
    long total = 0;
    for (int b = 0; b < width; b++) {
      long c = (long) i * (b + 1) + (b >= 4 ? r.nextInt(1) : 0);
      h.positiveBuckets[b] = c - prev;
      prev = c;
      total += c;
    }
    h.zeroCount = i / 3;
    h.count = total + h.zeroCount;
    h.sum = 0.25 * total;
    return h;
  }

  static FloatHistogram gauge(int i) {
    FloatHistogram fh = new FloatHistogram();
    fh.counterResetHint = CounterResetHint.GAUGE;
    fh.schema = 0;
    fh.positiveSpans = new Span[] {new Span(0, 2)};
    fh.positiveBuckets = new double[] {i % 7, 1.5};
    fh.count = (i % 7) + 1.5;
    fh.sum = i * 0.5;
    return fh;
  }

  private static void ingest(Db db, int from, int to, long seed) {
    for (int i = from; i < to; i++) {
      Appender a = db.appender();
      long t = 15_000L * i;
      a.appendHistogram(0, LAT, t, histogram(i, seed), null, AppendOptions.NONE);
      a.appendHistogram(0, GAUGE, t, null, gauge(i), AppendOptions.NONE);
      a.append(0, Labels.of("__name__", "up", "job", "api"), t, 1);
      a.commit();
    }
  }

  private static void assertAll(Db db, int n, long seed) {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("job", "api"));
      int series = 0;
      while (set.next()) {
        series++;
        String name = set.at().labels().get("__name__");
        SampleIterator it = set.at().iterator(null);
        int i = 0;
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          assertEquals(15_000L * i, it.atT(), name);
          switch (name) {
            case "rpc_duration_seconds" -> {
              assertEquals(ValueType.HISTOGRAM, vt);
              // Recoding may have widened older samples' layouts with empty buckets.
              assertEquals(histogram(i, seed).toFloat(null).compact(0),
                  it.atHistogram(null).toFloat(null).compact(0), name + " sample " + i);
            }
            case "queue_fill" -> {
              assertEquals(ValueType.FLOAT_HISTOGRAM, vt);
              assertEquals(gauge(i), it.atFloatHistogram(null), name + " sample " + i);
            }
            default -> assertEquals(ValueType.FLOAT, vt);
          }
          i++;
        }
        assertEquals(n, i, name);
      }
      assertEquals(3, series);
    }
  }

  @Test
  void histogramsSurviveRestartsFromTheLogAndHeadChunkFiles() {
    long seed = System.nanoTime();
    int n = 1500; // > 6 h at 15 s: many cut chunks, some written to head chunk files
    DbOptions opts = DbOptions.builder().walSegmentBytes(256 * 1024).headChunkFileBytes(256 * 1024).build();
    try (Db db = Db.open(dir, opts)) {
      ingest(db, 0, n / 2, seed);
      assertAll(db, n / 2, seed);
    }
    try (Db db = Db.open(dir, opts)) {
      assertAll(db, n / 2, seed);
      ingest(db, n / 2, n, seed);
      assertAll(db, n, seed);
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("chunks_head"))) {
      assertTrue(files.findAny().isPresent(), "completed histogram chunks went to head chunk files");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (Db db = Db.open(dir, opts)) {
      assertAll(db, n, seed);
    }
  }

  @Test
  void compactionMovesHistogramsIntoBlocksAndTheCheckpointKeepsTheRest() {
    long seed = 7;
    int n = 1500; // 6.25 h: the head spans more than 1.5 block ranges
    DbOptions opts = DbOptions.builder().walSegmentBytes(64 * 1024).build();
    try (Db db = Db.open(dir, opts)) {
      ingest(db, 0, n, seed);
      assertTrue(db.compact() > 0, "head ranges written as blocks");
      assertTrue(!db.blocks().isEmpty());
      assertAll(db, n, seed);
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("wal"))) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("checkpoint.")),
          "the WAL was checkpointed");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (Db db = Db.open(dir, opts)) { // blocks + checkpoint + rest of the WAL
      assertAll(db, n, seed);
    }
  }

  @Test
  void appendRulesForHistograms() {
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Appender a = db.appender();
      a.appendHistogram(0, LAT, 1000, histogram(5, 1), null, AppendOptions.NONE);
      // Exact duplicate: accepted, not stored twice.
      a.appendHistogram(0, LAT, 1000, histogram(5, 1), null, AppendOptions.NONE);
      // Another histogram at the same time in the same batch: dropped, the first one wins.
      a.appendHistogram(0, LAT, 1000, histogram(6, 1), null, AppendOptions.NONE);
      Histogram bad = histogram(5, 1);
      bad.count = 1;
      AppendException invalid = assertThrows(AppendException.class,
          () -> a.appendHistogram(0, LAT, 2000, bad, null, AppendOptions.NONE));
      assertEquals(AppendException.Reason.INVALID_HISTOGRAM, invalid.reason());
      assertTrue(invalid.getMessage().contains("observations found in buckets"), invalid.getMessage());
      a.commit();
      Appender b = db.appender();
      assertEquals(AppendException.Reason.DUPLICATE_SAMPLE, assertThrows(AppendException.class,
          () -> b.appendHistogram(0, LAT, 1000, histogram(6, 1), null, AppendOptions.NONE)).reason());
      assertEquals(AppendException.Reason.OUT_OF_ORDER, assertThrows(AppendException.class,
          () -> b.appendHistogram(0, LAT, 500, histogram(1, 1), null, AppendOptions.NONE)).reason());
      assertEquals(AppendException.Reason.DUPLICATE_SAMPLE, assertThrows(AppendException.class,
          () -> b.append(0, LAT, 1000, 3.0)).reason());
      // A float sample after histograms, a counter reset, then a stale marker.
      b.append(0, LAT, 2000, 3.0);
      b.commit();
      Appender c = db.appender();
      c.appendHistogram(0, LAT, 3000, histogram(9, 1), null, AppendOptions.NONE);
      c.appendHistogram(0, LAT, 4000, histogram(2, 1), null, AppendOptions.NONE);
      c.commit();
      // A float stale marker (as scrapes write for vanished series) becomes a histogram one.
      Appender d = db.appender();
      d.append(0, LAT, 5000, StaleNaN.VALUE);
      d.commit();
      try (Querier q = db.querier(0, 10_000)) {
        SeriesSet set = q.select(false, null, LabelMatcher.equal("__name__", "rpc_duration_seconds"));
        set.next();
        SampleIterator it = set.at().iterator(null);
        List<String> got = new ArrayList<>();
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          String v = switch (vt) {
            case FLOAT -> Double.toString(it.atV());
            case HISTOGRAM -> {
              Histogram h = it.atHistogram(null);
              yield StaleNaN.is(h.sum) ? "stale" : h.count + "/" + h.counterResetHint;
            }
            default -> vt.toString();
          };
          got.add(it.atT() + "=" + v);
        }
        assertEquals(List.of("1000=" + histogram(5, 1).count + "/UNKNOWN", "2000=3.0",
            "3000=" + histogram(9, 1).count + "/UNKNOWN", "4000=" + histogram(2, 1).count + "/UNKNOWN",
            "5000=stale"), got);
      }
    }
  }
}
