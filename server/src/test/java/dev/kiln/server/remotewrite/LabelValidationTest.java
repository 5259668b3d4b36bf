package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelValidationTest {
  @Test
  void emptyValuesAreDroppedNotRejected() throws InvalidWriteException {
    var labels = LabelValidation.validate(
        new String[] {"__name__", "container_cpu_usage_seconds_total", "container", "", "image", "", "namespace", "kube-system", "pod", "coredns-1"}, true);
    assertEquals("{__name__=\"container_cpu_usage_seconds_total\", namespace=\"kube-system\", pod=\"coredns-1\"}", labels.toString());
  }

  @Test
  void emptyValuesAreDroppedFromUnsortedLabels() throws InvalidWriteException {
    var labels = LabelValidation.validate(new String[] {"z", "1", "a", "", "__name__", "m", "b", ""}, true);
    assertEquals("{__name__=\"m\", z=\"1\"}", labels.toString());
  }

  @Test
  void anEmptyLabelNameIsStillRejected() {
    var e = assertThrows(InvalidWriteException.class, () -> LabelValidation.validate(new String[] {"", "x", "__name__", "m"}, true));
    assertTrue(e.getMessage().contains("empty label name"), e.getMessage());
  }

  @Test
  void anEmptyMetricNameMeansNoMetricName() {
    var e = assertThrows(InvalidWriteException.class, () -> LabelValidation.validate(new String[] {"__name__", "", "job", "x"}, true));
    assertTrue(e.getMessage().contains("missing metric name"), e.getMessage());
  }

  @Test
  void aDuplicateNameWithAnEmptyValueIsNoDuplicate() throws InvalidWriteException {
    var labels = LabelValidation.validate(new String[] {"__name__", "m", "a", "", "a", "1"}, true);
    assertEquals("{__name__=\"m\", a=\"1\"}", labels.toString());
  }

  @Test
  void duplicateNamesWithValuesAreRejected() {
    assertThrows(InvalidWriteException.class, () -> LabelValidation.validate(new String[] {"__name__", "m", "a", "1", "a", "2"}, true));
  }
}
