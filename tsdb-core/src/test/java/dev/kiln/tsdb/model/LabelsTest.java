package dev.kiln.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelsTest {
  @Test
  void sortsByNameAndDropsEmptyValues() {
    Labels l = Labels.of("job", "node", "__name__", "up", "empty", "");
    assertEquals(2, l.size());
    assertEquals("__name__", l.name(0));
    assertEquals("job", l.name(1));
    assertNull(l.get("empty"));
    assertEquals("{__name__=\"up\", job=\"node\"}", l.toString());
  }

  @Test
  void equalityAndOrdering() {
    Labels a = Labels.of("a", "1", "b", "2");
    Labels b = Labels.of("b", "2", "a", "1");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertTrue(Labels.of("a", "1").compareTo(a) < 0);
    assertTrue(Labels.of("a", "2").compareTo(a) > 0);
  }

  @Test
  void withoutAndKeep() {
    Labels l = Labels.of("__name__", "x", "a", "1", "b", "2");
    assertEquals(Labels.of("a", "1", "b", "2"), l.withoutMetricName());
    assertEquals(Labels.of("a", "1"), l.keep(List.of("a", "zz")));
    assertEquals(Labels.of("__name__", "x"), l.without(List.of("a", "b")));
  }

  @Test
  void matchersFollowPrometheusEmptyValueRules() {
    Labels l = Labels.of("__name__", "x", "a", "foo");
    assertTrue(LabelMatcher.equal("missing", "").matches(l));
    assertFalse(LabelMatcher.notEqual("missing", "").matches(l));
    assertTrue(LabelMatcher.regex("a", "fo+").matches(l));
    assertFalse(LabelMatcher.regex("a", "fo").matches(l), "regex must be anchored");
    assertTrue(LabelMatcher.notRegex("a", "bar|baz").matches(l));
    assertTrue(LabelMatcher.regex("missing", ".*").matches(l));
    assertFalse(LabelMatcher.regex("missing", ".+").matches(l));
    assertThrows(IllegalArgumentException.class, () -> LabelMatcher.regex("a", "("));
  }

  @Test
  void staleMarkerIsBitExact() {
    assertTrue(StaleNaN.is(StaleNaN.VALUE));
    assertFalse(StaleNaN.is(Double.NaN));
  }
}
