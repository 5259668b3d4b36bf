package dev.kiln.server.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cases of Prometheus 3's {@code TestNormalizeLabel} ({@code otlptranslator/prometheus/normalize_label_test.go}). */
class LabelNamerTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      ''                                   | ''
      label:with:colons                    | label_with_colons
      LabelWithCapitalLetters              | LabelWithCapitalLetters
      label!with&special$chars)            | label_with_special_chars_
      label_with_foreign_characters_字符    | label_with_foreign_characters___
      label.with.dots                      | label_with_dots
      123label                             | key_123label
      _label_starting_with_underscore      | key_label_starting_with_underscore
      __label_starting_with_2underscores   | __label_starting_with_2underscores
      service.instance.id                  | service_instance_id
      _                                    | key_
      a                                    | a
      a1_b                                 | a1_b
      1                                    | key_1
      """)
  void escapes(String key, String want) {
    assertEquals(want == null ? "" : want, new LabelNamer(false).build(key == null ? "" : key));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      label:with:colons
      label_with_foreign_characters_字符
      123label
      _label_starting_with_underscore
      http.method
      """)
  void utf8KeepsTheKey(String key) {
    assertEquals(key, new LabelNamer(true).build(key));
  }
}
