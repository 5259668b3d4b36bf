package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.ExemplarException;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircularExemplarStorageTest {
  private static final Labels A = Labels.of("__name__", "a", "job", "x");
  private static final Labels B = Labels.of("__name__", "b", "job", "x");
  private static final List<List<LabelMatcher>> ALL = List.of(List.of(LabelMatcher.equal("job", "x")));

  private static Exemplar ex(String trace, double v, long t) {
    return Exemplar.of(Labels.of("trace_id", trace), v, t);
  }

  private static List<Long> times(SeriesExemplars s) {
    return s.exemplars().stream().map(Exemplar::timestampMillis).toList();
  }

  @Test
  void sizeZeroKeepsNothing() {
    CircularExemplarStorage s = new CircularExemplarStorage(0);
    assertFalse(s.enabled());
    assertFalse(s.validate(A, ex("1", 1, 1)));
    s.add(A, ex("1", 1, 1));
    assertEquals(List.of(), s.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL));
    assertEquals(0, s.stats().appended());
  }

  @Test
  void selectsBySeriesMatchersAndTimeOrderedBySeriesLabels() {
    CircularExemplarStorage s = new CircularExemplarStorage(10);
    s.add(B, ex("b1", 1, 1000));
    s.add(A, ex("a1", 1, 1000));
    s.add(A, ex("a2", 2, 2000));
    s.add(A, ex("a3", 3, 3000));
    List<SeriesExemplars> all = s.select(0, Long.MAX_VALUE, ALL);
    assertEquals(List.of(A, B), all.stream().map(SeriesExemplars::seriesLabels).toList());
    assertEquals(List.of(1000L, 2000L, 3000L), times(all.get(0)));
    List<SeriesExemplars> ranged = s.select(1500, 2500, ALL);
    assertEquals(1, ranged.size());
    assertEquals(List.of(2000L), times(ranged.get(0)));
    List<SeriesExemplars> onlyB = s.select(0, 5000, List.of(List.of(LabelMatcher.equal("__name__", "b"))));
    assertEquals(List.of(B), onlyB.stream().map(SeriesExemplars::seriesLabels).toList());
    assertEquals(2, s.stats().seriesInStorage());
    assertEquals(4, s.stats().inStorage());
  }

  @Test
  void duplicatesAreDroppedAndOlderOnesRejected() {
    CircularExemplarStorage s = new CircularExemplarStorage(10);
    s.add(A, ex("1", 1, 1000));
    assertFalse(s.validate(A, ex("1", 1, 1000)));
    s.add(A, ex("1", 1, 1000));
    assertEquals(1, s.stats().appended());
    assertThrows(ExemplarException.class, () -> s.add(A, ex("0", 1, 999)));
    // Same time: a smaller value is out of order, a larger one is taken (native histogram buckets).
    assertThrows(ExemplarException.class, () -> s.add(A, ex("1", 0.5, 1000)));
    s.add(A, ex("1", 2, 1000));
    assertEquals(2, s.stats().outOfOrder());
    assertEquals(2, s.select(0, 2000, ALL).get(0).exemplars().size());
  }

  @Test
  void labelSetLongerThan128RunesIsRejected() {
    CircularExemplarStorage s = new CircularExemplarStorage(10);
    String v = "é".repeat(120);
    s.add(A, Exemplar.of(Labels.of("trace_i", v + "x"), 1, 1)); // 7 + 121 = 128 runes
    ExemplarException e = assertThrows(ExemplarException.class, () -> s.add(A, Exemplar.of(Labels.of("trace_id", v + "x"), 1, 2)));
    assertEquals("label length for exemplar exceeds maximum of 128 UTF-8 characters", e.getMessage());
  }

  @Test
  void ringOverwritesTheOldestAndDropsSeriesLeftWithout() {
    CircularExemplarStorage s = new CircularExemplarStorage(3);
    s.add(A, ex("a1", 1, 1));
    s.add(B, ex("b1", 1, 2));
    s.add(A, ex("a2", 1, 3));
    s.add(A, ex("a3", 1, 4)); // overwrites a1
    assertEquals(List.of(3L, 4L), times(s.select(0, 10, ALL).get(0)));
    s.add(A, ex("a4", 1, 5)); // overwrites b1, B has none left
    List<SeriesExemplars> all = s.select(0, 10, ALL);
    assertEquals(1, all.size());
    assertEquals(List.of(3L, 4L, 5L), times(all.get(0)));
    assertEquals(1, s.stats().seriesInStorage());
    assertEquals(3, s.stats().inStorage());
    assertEquals(0.003, s.stats().lastTimestampSeconds());
  }

  @Test
  void resizeKeepsTheNewest() {
    CircularExemplarStorage s = new CircularExemplarStorage(5);
    for (int i = 1; i <= 4; i++) {
      s.add(i % 2 == 0 ? A : B, ex("t" + i, i, i));
    }
    assertEquals(2, s.resize(2));
    List<SeriesExemplars> all = s.select(0, 10, ALL);
    assertEquals(List.of(A, B), all.stream().map(SeriesExemplars::seriesLabels).toList());
    assertEquals(List.of(4L), times(all.get(0)));
    assertEquals(List.of(3L), times(all.get(1)));
    assertEquals(2, s.resize(10));
    s.add(A, ex("t5", 5, 5));
    assertEquals(List.of(4L, 5L), times(s.select(0, 10, ALL).get(0)));
    assertEquals(10, s.stats().maxExemplars());
    s.resize(0);
    assertFalse(s.enabled());
    assertTrue(s.select(0, 10, ALL).isEmpty());
  }
}
