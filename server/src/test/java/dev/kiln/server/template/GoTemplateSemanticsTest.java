package dev.kiln.server.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Go {@code text/template} semantics of the control structures and every predefined function,
 * with the outputs Go gives (cases follow Go's {@code exec_test.go} where it has them).
 */
class GoTemplateSemanticsTest {
  private static final Map<String, TemplateFunction> NO_FUNCS = Map.of();

  private static String run(String text, Object dot) {
    return GoTemplate.parse("t", text, NO_FUNCS).execute(dot, NO_FUNCS);
  }

  private static Map<String, Object> data() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", "kiln");
    m.put("Empty", "");
    m.put("Zero", 0L);
    m.put("List", List.of("a", "b", "c"));
    m.put("None", List.of());
    m.put("Map", Map.of("two", 2L, "one", 1L, "three", 3L));
    return m;
  }

  @Test
  void printfQuotesLikeStrconvQuote() {
    // Go: fmt.Sprintf("%q", "a\ab\tc\u00a0\"") == `"a\ab\tc\u00a0\""`
    assertEquals("\"a\\ab\\tc\\u00a0\\\"\"", run("{{printf \"%q\" .}}", "a\u0007b\tc\u00a0\""));
  }

  @Test
  void defineAndTemplate() {
    assertEquals("TWO ONE", run("{{define \"T1\"}}ONE{{end}}{{define \"T2\"}}TWO {{template \"T1\"}}{{end}}{{template \"T2\"}}", null));
    // The argument becomes dot and $ inside the called template; without one, dot is nil.
    assertEquals("[kiln|kiln]", run("{{define \"x\"}}[{{.}}|{{$}}]{{end}}{{template \"x\" .Name}}", data()));
    assertEquals("<no value>", run("{{define \"x\"}}{{.}}{{end}}{{template \"x\"}}", data()));
    // Definitions produce no output where they appear, and may follow their use.
    assertEquals("a-b", run("a{{template \"sep\"}}b{{define \"sep\"}}-{{end}}", null));
    // block defines and executes in place.
    assertEquals("hi kiln", run("{{block \"greet\" .}}hi {{.Name}}{{end}}", data()));
    assertThrows(TemplateException.class, () -> run("{{template \"missing\"}}", null));
    // Recursion is bounded, as in Go (which stops at a depth of 100000).
    assertThrows(TemplateException.class, () -> run("{{define \"r\"}}{{template \"r\"}}{{end}}{{template \"r\"}}", null));
  }

  @Test
  void withAndElse() {
    assertEquals("kiln", run("{{with .Name}}{{.}}{{end}}", data()));
    assertEquals("", run("{{with .Empty}}{{.}}{{end}}", data()));
    assertEquals("empty", run("{{with .Empty}}{{.}}{{else}}empty{{end}}", data()));
    assertEquals("zero", run("{{with .Zero}}x{{else}}zero{{end}}", data()));
    assertEquals("b", run("{{with .None}}a{{else with .List}}{{index . 1}}{{end}}", data()));
    // else runs with the outer dot.
    assertEquals("kiln", run("{{with .Empty}}x{{else}}{{.Name}}{{end}}", data()));
    assertEquals("hi", run("{{with $x := \"hi\"}}{{$x}}{{end}}", data()));
  }

  @Test
  void rangeAndElse() {
    assertEquals("abc", run("{{range .List}}{{.}}{{end}}", data()));
    assertEquals("0=a,1=b,2=c,", run("{{range $i, $e := .List}}{{$i}}={{$e}},{{end}}", data()));
    assertEquals("none", run("{{range .None}}x{{else}}none{{end}}", data()));
    // Maps range in sorted key order; one variable gets the element.
    assertEquals("one=1 three=3 two=2 ", run("{{range $k, $v := .Map}}{{$k}}={{$v}} {{end}}", data()));
    assertEquals("132", run("{{range $v := .Map}}{{$v}}{{end}}", data()));
    // Inside the body, $ is still the data and variables declared in it end with each iteration.
    assertEquals("kilnkilnkiln", run("{{range .List}}{{$.Name}}{{end}}", data()));
    assertEquals("", run("{{range .Map}}{{end}}", data()));
  }

  @Test
  void andOrNot() {
    // and/or return the first argument that decides, else the last one.
    assertEquals("0", run("{{and 1 0 2}}", null));
    assertEquals("2", run("{{and 1 2}}", null));
    assertEquals("x", run("{{or 0 \"\" \"x\"}}", null));
    assertEquals("", run("{{or 0 \"\"}}", null));
    assertEquals("true false", run("{{not 0}} {{not \"a\"}}", null));
  }

  @Test
  void lenAndIndex() {
    assertEquals("3 3 4", run("{{len .List}} {{len .Map}} {{len .Name}}", data()));
    assertEquals("b 2", run("{{index .List 1}} {{index .Map \"two\"}}", data()));
    assertEquals("b", run("{{index . \"List\" 1}}", data()));
    assertThrows(TemplateException.class, () -> run("{{index .List 5}}", data()));
    assertThrows(TemplateException.class, () -> run("{{len 3}}", data()));
  }

  @Test
  void printPrintfPrintln() {
    // print adds spaces between operands when neither is a string.
    assertEquals("1 2", run("{{print 1 2}}", null));
    assertEquals("a1b", run("{{print \"a\" 1 \"b\"}}", null));
    assertEquals("1a2", run("{{print 1 \"a\" 2}}", null));
    // println always adds spaces and a newline.
    assertEquals("1 a\n", run("{{println 1 \"a\"}}", null));
    assertEquals("3-x 0.50", run("{{printf \"%d-%s %.2f\" 3 \"x\" 0.5}}", null));
    assertEquals("kiln!", run("{{.Name | printf \"%s!\"}}", data()));
  }

  @Test
  void comparisons() {
    assertEquals("true false true", run("{{eq 1 1}} {{eq 1 2}} {{eq 1 2 3 1}}", null));
    assertEquals("true true", run("{{eq \"a\" \"a\"}} {{eq true true}}", null));
    assertEquals("true false", run("{{ne 1 2}} {{ne \"a\" \"a\"}}", null));
    assertEquals("true false", run("{{lt 1 2}} {{lt 2 1}}", null));
    assertEquals("true true false", run("{{le 2 2}} {{le 1.5 2.5}} {{le \"b\" \"a\"}}", null));
    assertEquals("true false", run("{{gt \"b\" \"a\"}} {{gt 1 1}}", null));
    assertEquals("true false", run("{{ge 2 2}} {{ge 1 2}}", null));
    // An integer and a float do not compare in Go.
    assertThrows(TemplateException.class, () -> run("{{eq 1 2.0}}", null));
    assertThrows(TemplateException.class, () -> run("{{lt true false}}", null));
  }

  @Test
  void escapers() {
    assertEquals("&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;", run("{{html \"<script>alert(\\\"XSS\\\");</script>\"}}", null));
    assertEquals("&#39;&amp;", run("{{html \"'&\"}}", null));
    assertEquals("It\\'d be nice.", run("{{js \"It'd be nice.\"}}", null));
    assertEquals("Go \\\"jump\\\" \\\\", run("{{js \"Go \\\"jump\\\" \\\\\"}}", null));
    assertEquals("\\u003C\\u003E\\u0026\\u003D", run("{{js \"<>&=\"}}", null));
    assertEquals("a\\u000Ab", run("{{js \"a\\nb\"}}", null));
    assertEquals("%3Chtml%3E", run("{{\"<html>\" | urlquery}}", null));
    assertEquals("a+b%26c%3Dd~%2A", run("{{urlquery \"a b&c=d~*\"}}", null));
  }
}
