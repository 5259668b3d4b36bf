package dev.kiln.tsdb.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryStorageTest {
  @Test
  void commitMakesSamplesVisibleAndRollbackDiscards() {
    InMemoryStorage s = new InMemoryStorage();
    Labels up = Labels.of("__name__", "up", "job", "a");
    Appender app = s.appender();
    app.append(0, up, 1000, 1);
    app.append(0, up, 2000, 0);
    app.commit();
    Appender discarded = s.appender();
    discarded.append(0, up, 3000, 5);
    discarded.rollback();

    try (Querier q = s.querier(0, 10_000)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "up"));
      assertTrue(set.next());
      SampleIterator it = set.at().iterator(null);
      assertEquals(ValueType.FLOAT, it.next());
      assertEquals(1000, it.atT());
      assertEquals(ValueType.FLOAT, it.seek(1500));
      assertEquals(2000, it.atT());
      assertEquals(0.0, it.atV());
      assertEquals(ValueType.NONE, it.next());
      assertFalse(set.next());
      assertEquals(List.of("a"), q.labelValues("job"));
      assertEquals(List.of("__name__", "job"), q.labelNames());
    }
  }

  @Test
  void rejectsOutOfOrderAndDuplicates() {
    InMemoryStorage s = new InMemoryStorage();
    Labels l = Labels.of("__name__", "x");
    Appender app = s.appender();
    app.append(0, l, 2000, 1);
    app.commit();
    Appender next = s.appender();
    AppendException ooo = assertThrows(AppendException.class, () -> next.append(0, l, 1000, 1));
    assertEquals(AppendException.Reason.OUT_OF_ORDER, ooo.reason());
    AppendException dup = assertThrows(AppendException.class, () -> next.append(0, l, 2000, 2));
    assertEquals(AppendException.Reason.DUPLICATE_SAMPLE, dup.reason());
    next.append(0, l, 2000, 1);
    next.commit();
  }

  @Test
  void storesHistogramSamplesBesideFloats() {
    InMemoryStorage s = new InMemoryStorage();
    Labels l = Labels.of("__name__", "h");
    Histogram ih = new Histogram();
    ih.count = 3;
    ih.sum = 4;
    ih.positiveSpans = new Span[] {new Span(0, 2)};
    ih.positiveBuckets = new long[] {1, 1};
    Appender app = s.appender();
    app.append(0, l, 1000, 7);
    app.appendHistogram(0, l, 2000, ih, null, null);
    app.commit();

    Histogram bad = ih.copy();
    bad.count = 5;
    AppendException e = assertThrows(AppendException.class, () -> s.appender().appendHistogram(0, l, 3000, bad, null, null));
    assertEquals(AppendException.Reason.INVALID_HISTOGRAM, e.reason());

    try (Querier q = s.querier(0, 10_000)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "h"));
      assertTrue(set.next());
      SampleIterator it = set.at().iterator(null);
      assertEquals(ValueType.FLOAT, it.next());
      assertEquals(7.0, it.atV());
      assertEquals(ValueType.FLOAT_HISTOGRAM, it.next());
      FloatHistogram got = it.atFloatHistogram(null);
      assertEquals(ih.toFloat(null), got);
      got.mul(2); // the caller owns what it got
      assertEquals(ValueType.FLOAT_HISTOGRAM, set.at().iterator(null).seek(1500));
      assertEquals(ih.toFloat(null), set.at().iterator(null).seek(1500) == ValueType.NONE ? null : firstHistogram(set));
      assertEquals(ValueType.NONE, it.next());
    }
  }

  private static FloatHistogram firstHistogram(SeriesSet set) {
    SampleIterator it = set.at().iterator(null);
    it.seek(1500);
    return it.atFloatHistogram(null);
  }
}
