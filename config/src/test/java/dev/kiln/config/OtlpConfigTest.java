package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.OtlpConfig.TranslationStrategy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code otlp} section with Prometheus 3's defaults and validation ({@code config/config_test.go} OTLP cases). */
class OtlpConfigTest {
  private static OtlpConfig parse(String yaml) {
    return ConfigLoader.parse("test.yml", yaml, null).otlp();
  }

  private static String error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void defaults() {
    assertEquals(OtlpConfig.DEFAULT, parse(""));
    assertEquals(OtlpConfig.DEFAULT, parse("otlp: {}\n"));
    assertEquals(TranslationStrategy.UnderscoreEscapingWithSuffixes, OtlpConfig.DEFAULT.translationStrategy());
  }

  @Test
  void everyField() {
    OtlpConfig c = parse("""
        otlp:
          translation_strategy: NoUTF8EscapingWithSuffixes
          promote_resource_attributes: ["k8s.cluster.name", " k8s.job.name ", "k8s.namespace.name"]
          keep_identifying_resource_attributes: true
          convert_histograms_to_nhcb: true
          promote_scope_metadata: true
        """);
    assertEquals(new OtlpConfig(TranslationStrategy.NoUTF8EscapingWithSuffixes,
        List.of("k8s.cluster.name", "k8s.job.name", "k8s.namespace.name"), false, List.of(), true, true, true), c);
    OtlpConfig all = parse("otlp: {promote_all_resource_attributes: true, ignore_resource_attributes: [process.pid]}\n");
    assertTrue(all.promoteAllResourceAttributes());
    assertEquals(List.of("process.pid"), all.ignoreResourceAttributes());
  }

  @Test
  void invalidSections() {
    assertTrue(error("otlp: {promote_resource_attributes: [a, ' a ']}\n")
        .contains("invalid 'promote_resource_attributes': duplicated promoted OTel resource attribute \"a\""));
    assertTrue(error("otlp: {promote_resource_attributes: ['', b]}\n").contains("empty promoted OTel resource attribute"));
    assertTrue(error("otlp: {promote_all_resource_attributes: true, promote_resource_attributes: [a]}\n")
        .contains("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously"));
    assertTrue(error("otlp: {ignore_resource_attributes: [a]}\n")
        .contains("'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true"));
    assertTrue(error("otlp: {translation_strategy: Dots}\n").contains("unsupported OTLP translation strategy \"Dots\""));
    assertTrue(error("otlp: {unknown_field: 1}\n").contains("field unknown_field not found in otlp"));
    assertTrue(error("global: {metric_name_validation_scheme: legacy}\notlp: {translation_strategy: NoTranslation}\n")
        .contains("OTLP translation strategy \"NoTranslation\" is not allowed when UTF8 is disabled"));
    assertEquals(TranslationStrategy.UnderscoreEscapingWithoutSuffixes,
        parse("global: {metric_name_validation_scheme: legacy}\notlp: {translation_strategy: UnderscoreEscapingWithoutSuffixes}\n")
            .translationStrategy());
  }
}
