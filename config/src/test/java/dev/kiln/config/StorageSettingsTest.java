package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StorageSettingsTest {
  private static StorageSettings parse(String yaml) {
    return ConfigLoader.parse("t.yml", yaml, Path.of("/")).storage();
  }

  @Test
  void maxExemplarsDefaultsToPrometheusValue() {
    assertEquals(100_000, parse("global: {}\n").maxExemplars());
    assertEquals(100_000, parse("storage:\n  exemplars:\n").maxExemplars());
    assertEquals(0, parse("storage: {exemplars: {max_exemplars: 0}}\n").maxExemplars());
    assertEquals(42, parse("storage: {exemplars: {max_exemplars: 42}}\n").maxExemplars());
  }

  @Test
  void exemplarsSizeIsNotARetentionChange() {
    assertTrue(parse("storage: {exemplars: {max_exemplars: 1}}\n").sameRetention(StorageSettings.NONE));
    assertThrows(RuntimeException.class, () -> parse("storage: {exemplars: {max: 1}}\n"));
  }
}
