package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelValidationTest {
  @Test
  void emptyValuesAreDroppedNotRejected() throws InvalidWriteException {
    var labels = LabelValidation.validate(
        new String[] {"__name__", "container_cpu_usage_seconds_total", "container", "", "image", "", "namespace", "kube-system", "pod", "coredns-1"});
    assertEquals("{__name__=\"container_cpu_usage_seconds_total\", namespace=\"kube-system\", pod=\"coredns-1\"}", labels.toString());
  }

  @Test
  void emptyValuesAreDroppedFromUnsortedLabels() throws InvalidWriteException {
    var labels = LabelValidation.validate(new String[] {"z", "1", "a", "", "__name__", "m", "b", ""});
    assertEquals("{__name__=\"m\", z=\"1\"}", labels.toString());
  }

  @Test
  void utf8AndLegacyInvalidNamesAreAccepted() throws InvalidWriteException {
    var labels = LabelValidation.validate(new String[] {"__name__", "1bad.name", "bad-label", "x", "☃", "snow"});
    assertEquals("1bad.name", labels.get("__name__"));
    assertEquals("x", labels.get("bad-label"));
  }

  @Test
  void anEmptyLabelNameIsRejected() {
    var e = assertThrows(InvalidLabelsException.class, () -> LabelValidation.validate(new String[] {"", "x", "__name__", "m"}));
    assertTrue(e.getMessage().contains("empty label name"), e.getMessage());
  }

  @Test
  void anEmptyOrMissingMetricNameIsRejected() {
    assertThrows(InvalidLabelsException.class, () -> LabelValidation.validate(new String[] {"__name__", "", "job", "x"}));
    var e = assertThrows(InvalidLabelsException.class, () -> LabelValidation.validate(new String[] {"job", "x"}));
    assertTrue(e.getMessage().contains("missing metric name"), e.getMessage());
  }

  @Test
  void duplicateNamesAreRejectedEvenWithAnEmptyValue() {
    assertThrows(InvalidLabelsException.class, () -> LabelValidation.validate(new String[] {"__name__", "m", "a", "1", "a", "2"}));
    assertThrows(InvalidLabelsException.class, () -> LabelValidation.validate(new String[] {"__name__", "m", "a", "", "a", "1"}));
  }
}
