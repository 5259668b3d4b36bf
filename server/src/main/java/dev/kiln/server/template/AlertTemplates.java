package dev.kiln.server.template;

import java.util.HashMap;
import java.util.Map;

/**
 * Expands alert label and annotation templates as Prometheus does: the text is prefixed with
 * the variable definitions {@code $labels}, {@code $externalLabels}, {@code $externalURL} and
 * {@code $value}; a template that fails to parse or run yields
 * {@code <error expanding template: ...>} instead of failing the rule.
 */
public final class AlertTemplates {
  private static final String PREFIX =
      "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

  private AlertTemplates() {}

  /** Expands one template text for one alert sample. */
  public static String expand(String name, String text, Map<String, String> labels, double value,
      Map<String, String> externalLabels, String externalURL, Map<String, TemplateFunction> funcs) {
    if (!text.contains("{{")) {
      return text;
    }
    Map<String, Object> data = new HashMap<>();
    data.put("Labels", labels);
    data.put("ExternalLabels", externalLabels);
    data.put("ExternalURL", externalURL);
    data.put("Value", value);
    try {
      return GoTemplate.parse(name, PREFIX + text, funcs).execute(data, funcs);
    } catch (TemplateException e) {
      return "<error expanding template: " + e.getMessage() + ">";
    }
  }

  /** Checks that a text parses as a template (rule file validation). */
  public static void validate(String name, String text) {
    GoTemplate.parse(name, PREFIX + text, TemplateFunctions.create(q -> java.util.List.of(), "", 0));
  }
}
