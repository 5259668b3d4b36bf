package dev.kiln.promql.parser;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.Expr;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Parses PromQL text into Kiln's {@link Expr} tree with the ANTLR grammar ({@code PromQLLexer},
 * {@code PromQLGrammar}), then checks types and modifiers as Prometheus's parser does. Thread-safe
 * and stateless. Parsing first tries ANTLR's fast SLL mode and falls back to full LL only for the
 * rare query that needs it or has an error, so error messages always come from the full parse.
 */
public final class PromQLParser {
  private PromQLParser() {}

  /**
   * The syntax tree of {@code query}.
   *
   * @throws ParseException for syntax and type errors, with Prometheus's wording and position
   */
  public static Expr parse(String query) {
    PromQLGrammar.QueryContext tree = parseTree(query);
    return new AstBuilder(query).build(tree);
  }

  /**
   * The label matchers of a series selector such as {@code up{job=~"a|b"}}, as the
   * {@code match[]} parameters of the metadata API take them; the metric name becomes a
   * {@code __name__} matcher.
   *
   * @throws ParseException when the text is not a single vector selector without modifiers
   */
  public static List<LabelMatcher> parseSelector(String selector) {
    Expr e = parse(selector);
    if (!(e instanceof Expr.VectorSelector vs) || vs.offset() != null || vs.at().isSet() || vs.smoothed()) {
      throw SyntaxErrors.error(selector, 0, "expected a series selector, got \"" + selector + "\"");
    }
    return vs.matchers();
  }

  private static PromQLGrammar.QueryContext parseTree(String query) {
    PromQLLexer lexer = new PromQLLexer(CharStreams.fromString(query));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    if (tokens.get(firstVisible(tokens)).getType() == Token.EOF) {
      throw SyntaxErrors.error(query, 0, "no expression found in input");
    }
    PromQLGrammar parser = new PromQLGrammar(tokens);
    parser.removeErrorListeners();
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setErrorHandler(new BailErrorStrategy());
    try {
      return parser.query();
    } catch (ParseCancellationException fast) {
      tokens.seek(0);
      parser.reset();
      parser.addErrorListener(new SyntaxErrors(query));
      parser.setErrorHandler(new DefaultErrorStrategy());
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      return parser.query();
    }
  }

  private static int firstVisible(CommonTokenStream tokens) {
    int i = 0;
    while (tokens.get(i).getChannel() != Token.DEFAULT_CHANNEL) {
      i++;
    }
    return i;
  }
}
