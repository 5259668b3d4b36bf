package dev.kiln.server.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    m.put("Labels", Map.of("job", "api"));
    m.put("Nil", null);
    m.put("Add", (TemplateFunction) args -> (Long) args.get(0) + (Long) args.get(1));
    m.put("Fail", (TemplateFunction) args -> {
      throw new IllegalStateException("boom");
    });
    return m;
  }

  private static String error(String text, Object dot) {
    return assertThrows(TemplateException.class, () -> run(text, dot)).getMessage();
  }

  @Test
  void breakAndContinueEndTheInnermostRange() {
    assertEquals("a", run("{{range .List}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", data()));
    assertEquals("ac", run("{{range .List}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", data()));
    // Only the innermost range: the outer one goes on.
    assertEquals("1a2a", run("{{range $n := .Map}}{{if ne $n 3}}{{$n}}{{range $.List}}{{.}}{{break}}{{end}}{{end}}{{end}}",
        data()));
    // Sorted map keys: one, three, two; stop at three.
    assertEquals("one ", run("{{range $k, $v := .Map}}{{if eq $k \"three\"}}{{break}}{{end}}{{$k}} {{end}}", data()));
    // Variables declared in the body do not outlive a continued iteration.
    assertEquals("xyz", run("{{range $i, $e := .List}}{{$x := \"y\"}}{{if eq $i 0}}x{{continue}}{{end}}{{$x}}{{break}}{{end}}z",
        data()));
  }

  @Test
  void breakAndContinueOutsideARangeDoNotParse() {
    assertEquals("template: t:1: {{break}} outside {{range}}",
        assertThrows(TemplateException.class, () -> GoTemplate.parse("t", "{{break}}", NO_FUNCS)).getMessage());
    assertEquals("template: t:2: {{continue}} outside {{range}}",
        assertThrows(TemplateException.class, () -> GoTemplate.parse("t", "x\n{{if 1}}{{continue}}{{end}}", NO_FUNCS))
            .getMessage());
    // The else branch of a range is outside it, and so is a definition inside one.
    assertThrows(TemplateException.class, () -> GoTemplate.parse("t", "{{range .}}{{else}}{{break}}{{end}}", NO_FUNCS));
    assertThrows(TemplateException.class,
        () -> GoTemplate.parse("t", "{{range .}}{{define \"d\"}}{{break}}{{end}}{{end}}", NO_FUNCS));
    assertThrows(TemplateException.class, () -> GoTemplate.parse("t", "{{range .}}{{break 1}}{{end}}", NO_FUNCS));
  }

  @Test
  void andOrStopEvaluatingOnceTheResultIsKnown() {
    // Go 1.18: "and x y" behaves as "if x then y else x", evaluating y only when needed.
    assertEquals("[]", run("{{and .None (index .None 0)}}", data()));
    assertEquals("kiln", run("{{or .Name (index .None 0)}}", data()));
    assertEquals("", run("{{and .Empty (call .Fail)}}", data()));
    assertTrue(error("{{and .Name (call .Fail)}}", data()).contains("boom"), "the deciding argument is evaluated");
    // A piped value is the last argument.
    assertEquals("x", run("{{\"x\" | and 1}}", null));
    assertEquals("0", run("{{0 | or \"\"}}", null));
    assertEquals("guarded", run("{{if and .List (eq (index .List 0) \"a\")}}guarded{{end}}", data()));
  }

  @Test
  void slice() {
    assertEquals("[a b c] [b c] [b] [a b]", run("{{slice .List}} {{slice .List 1}} {{slice .List 1 2}} {{slice .List 0 2 3}}",
        data()));
    assertEquals("il ln kiln", run("{{slice .Name 1 3}} {{slice .Name 2}} {{slice .Name}}", data()));
    assertEquals("[]", run("{{slice .List 3}}", data()), "the length itself is a valid bound");
    assertTrue(error("{{slice .List 2 1}}", data()).endsWith("error calling slice: invalid slice index: 2 > 1"));
    assertTrue(error("{{slice .List 0 3 2}}", data()).endsWith("error calling slice: invalid slice index: 3 > 2"));
    assertTrue(error("{{slice .List 4}}", data()).endsWith("error calling slice: index out of range: 4"));
    assertTrue(error("{{slice .Name 0 1 2}}", data()).endsWith("error calling slice: cannot 3-index slice a string"));
    assertTrue(error("{{slice .List 0 1 2 3}}", data()).endsWith("error calling slice: too many slice indexes: 4"));
    assertTrue(error("{{slice .Nil 0}}", data()).endsWith("error calling slice: slice of untyped nil"));
    assertTrue(error("{{slice .Zero 0}}", data()).contains("can't slice item of type"));
  }

  @Test
  void callRunsAFunctionValue() {
    assertEquals("3", run("{{call .Add 1 2}}", data()));
    assertEquals("5", run("{{3 | call .Add 2}}", data()));
    assertTrue(error("{{call .Nil}}", data()).endsWith("error calling call: call of nil"));
    assertTrue(error("{{call .Name}}", data()).contains("error calling call: non-function of type"));
    assertTrue(error("{{call .Fail}}", data()).endsWith("error calling call: boom"));
  }

  @Test
  void indexEdgeCases() {
    assertEquals("[a b c]", run("{{index .List}}", data()), "no indexes: the item itself");
    assertEquals("107", run("{{index .Name 0}}", data()), "a string indexes to its byte");
    assertEquals("0", run("{{index .Map \"four\"}}", data()), "a missing key gives the zero value");
    assertEquals("", run("{{index .Labels \"missing\"}}", data()));
    assertEquals("api", run("{{index .Labels \"job\"}}", data()));
    assertTrue(error("{{index .List -1}}", data()).endsWith("error calling index: index out of range: -1"));
    assertTrue(error("{{index .List 3}}", data()).endsWith("error calling index: index out of range: 3"));
    assertTrue(error("{{index .List \"x\"}}", data()).contains("error calling index: cannot index slice/array with type"));
    assertTrue(error("{{index .Nil 1}}", data()).endsWith("error calling index: index of untyped nil"));
    assertTrue(error("{{index .List .Nil}}", data()).endsWith("error calling index: cannot index slice/array with nil"));
    assertTrue(error("{{index .Zero 1}}", data()).contains("error calling index: can't index item of type"));
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
    assertEquals("b", run("{{index (index . \"List\") 1}}", data()));
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
