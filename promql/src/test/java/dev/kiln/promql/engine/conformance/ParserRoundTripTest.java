package dev.kiln.promql.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.Printer;
import dev.kiln.promql.parser.PromQLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every query of Prometheus's PromQL test scripts goes through the printer and back: the
 * canonical form and the pretty form must both parse to the same tree, and printing is stable.
 * Queries the scripts expect to succeed must parse (only the native-histogram trim operators,
 * which Kiln rejects with a clear error, are exempt).
 */
class ParserRoundTripTest {
  @Test
  void everyScriptQueryRoundTripsThroughThePrinter() throws IOException {
    Path dir = Paths.get(System.getProperty("promql.testdata"));
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    int parsed = 0;
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      for (ScriptCommand c : ScriptParser.parse(Files.readString(f, StandardCharsets.UTF_8))) {
        if (!(c instanceof ScriptCommand.Eval ev)) {
          continue;
        }
        String where = f.getFileName() + ":" + ev.line + " " + ev.expr;
        Expr e;
        try {
          e = PromQLParser.parse(ev.expr);
        } catch (ParseException ex) {
          boolean trim = ex.getMessage().contains("trim operator");
          if (!ev.fail && !trim) {
            problems.add(where + " does not parse: " + ex.getMessage());
          }
          continue;
        }
        parsed++;
        String canonical = e.toString();
        Expr again = PromQLParser.parse(canonical);
        if (!Expr.equalsIgnoringPosition(e, again)) {
          problems.add(where + " canonical form parses differently: " + canonical);
        } else if (!again.toString().equals(canonical)) {
          problems.add(where + " printing is not stable: " + canonical + " then " + again);
        }
        String pretty = Printer.pretty(e);
        if (!Expr.equalsIgnoringPosition(e, PromQLParser.parse(pretty))) {
          problems.add(where + " pretty form parses differently: " + pretty);
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(parsed > 2000, "expected the scripts' queries to parse, parsed " + parsed);
  }
}
