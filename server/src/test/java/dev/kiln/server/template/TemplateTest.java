package dev.kiln.server.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final Map<String, TemplateFunction> FUNCS = TemplateFunctions.create(
      q -> List.of(new TemplateFunctions.QuerySample(Map.of("instance", "b"), 2), new TemplateFunctions.QuerySample(Map.of("instance", "a"), 1)),
      "http://kiln.example:9090/prefix", 1712000000);

  private static String expand(String text, Map<String, String> labels, double value) {
    return AlertTemplates.expand("t", text, labels, value, Map.of("cluster", "c1"), "http://kiln.example:9090/prefix", FUNCS);
  }

  @Test
  void humanizeFamilyMatchesTheContract() {
    assertEquals("1.235M", TemplateFunctions.humanize(1234567));
    assertEquals("1.2m", TemplateFunctions.humanize(0.0012));
    assertEquals("0", TemplateFunctions.humanize(0));
    assertEquals("2ki", TemplateFunctions.humanize1024(2048));
    assertEquals("1d 2h 3m 4s", TemplateFunctions.humanizeDuration(93784));
    assertEquals("2h 0m 5s", TemplateFunctions.humanizeDuration(7205));
    assertEquals("3m 7s", TemplateFunctions.humanizeDuration(187));
    assertEquals("12.35s", TemplateFunctions.humanizeDuration(12.3456));
    assertEquals("123.4ms", TemplateFunctions.humanizeDuration(0.1234));
    assertEquals("5us", TemplateFunctions.humanizeDuration(0.000005));
    assertEquals("0s", TemplateFunctions.humanizeDuration(0));
    assertEquals("2024-04-01 12:00:00 +0000 UTC", TemplateFunctions.humanizeTimestamp(1711972800));
    assertEquals("2024-04-01 12:00:00.5 +0000 UTC", TemplateFunctions.humanizeTimestamp(1711972800.5));
    assertEquals("25.6%", expand("{{ 0.256 | humanizePercentage }}", Map.of(), 0));
    assertEquals("1.235e+04%", expand("{{ 123.456 | humanizePercentage }}", Map.of(), 0));
  }

  @Test
  void valuesPrintWithGoFormatting() {
    assertEquals("0.5 42 123456.7 1.234567e+06 1e+06 0.0001 1e-05",
        expand("{{ 0.5 }} {{ $value }} {{ 123456.7 }} {{ 1234567.0 }} {{ 1000000.0 }} {{ 0.0001 }} {{ 0.00001 }}", Map.of(), 42));
    assertEquals("3.14", expand("{{ printf \"%.2f\" $value }}", Map.of(), 3.14159));
    assertEquals("  7|x  |007", expand("{{ printf \"%3d|%-3s|%03d\" 7 \"x\" 7 }}", Map.of(), 0));
  }

  @Test
  void labelsConditionalsAndRanges() {
    Map<String, String> labels = Map.of("instance", "host:9100", "job", "node");
    assertEquals("CPU busy on host:9100 (c1)", expand("CPU busy on {{ $labels.instance }} ({{ $externalLabels.cluster }})", labels, 0));
    assertEquals("high", expand("{{ if gt $value 0.9 }}high{{ else if gt $value 0.5 }}mid{{ else }}low{{ end }}", labels, 0.95));
    assertEquals("mid", expand("{{ if gt $value 0.9 }}high{{ else if gt $value 0.5 }}mid{{ else }}low{{ end }}", labels, 0.6));
    assertEquals("instance=host:9100,job=node,", expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}", labels, 0));
    assertEquals("[x]", expand("[  {{- \"x\" -}}\n ]", labels, 0));
    assertEquals("", expand("{{ $labels.missing }}", labels, 0));
    assertEquals("host", expand("{{ $labels.instance | stripPort }}", labels, 0));
    assertEquals("NODE", expand("{{ .Labels.job | toUpper }}", labels, 0));
  }

  @Test
  void queriesAndLinks() {
    assertEquals("a:1 b:2 ", expand("{{ range query \"up\" | sortByLabel \"instance\" }}{{ .Labels.instance }}:{{ .Value }} {{ end }}", Map.of(), 0));
    assertEquals("b", expand("{{ with query \"up\" }}{{ . | first | label \"instance\" }}{{ end }}", Map.of(), 0));
    assertEquals("/graph?g0.expr=up+%3D%3D+0&g0.tab=0", expand("{{ graphLink \"up == 0\" }}", Map.of(), 0));
    assertEquals("/prefix", expand("{{ pathPrefix }}", Map.of(), 0));
  }

  @Test
  void errorsBecomeTheValueNotAFailure() {
    String out = expand("{{ nosuchfunc 1 }}", Map.of(), 0);
    assertTrue(out.startsWith("<error expanding template: "), out);
    assertTrue(out.contains("function \"nosuchfunc\" not defined"), out);
    assertThrows(TemplateException.class, () -> AlertTemplates.validate("x", "{{ if }}"));
    assertThrows(TemplateException.class, () -> AlertTemplates.validate("x", "{{ .Labels"));
  }
}
