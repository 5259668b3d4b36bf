package dev.kiln.promql.parser;

import dev.kiln.promql.ParseException;
import dev.kiln.tsdb.model.GoStrings;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Turns the first syntax error into a {@link ParseException} worded as Prometheus words it:
 * {@code 1:14: parse error: unexpected right parenthesis ')'}, with the offending token
 * described by its kind ({@code identifier "foo"}, {@code <op:+>}, {@code <by>}, ...). Error
 * tokens of the lexer (a stray character, an unterminated string, {@code 5min}) get the lexer's
 * own message instead.
 */
final class SyntaxErrors extends BaseErrorListener {
  private final String query;

  SyntaxErrors(String query) {
    this.query = query;
  }

  @Override
  public void syntaxError(
      Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine, String msg,
      RecognitionException e) {
    Token t = offendingSymbol instanceof Token tok ? tok : null;
    if (t == null && e != null) {
      t = e.getOffendingToken();
    }
    if (t == null) {
      throw error(query, query.length(), "unexpected end of input");
    }
    int at = t.getType() == Token.EOF ? query.length() : t.getStartIndex();
    throw error(query, at, describe(t));
  }

  /** What is wrong at token {@code t}, e.g. {@code unexpected identifier "foo"}. */
  static String describe(Token t) {
    String text = t.getText();
    return switch (t.getType()) {
      case Token.EOF -> "unexpected end of input";
      case PromQLLexer.ERROR_CHAR -> "unexpected character: " + quoteChar(text);
      case PromQLLexer.BRACE_ERROR_CHAR -> "unexpected character inside braces: " + quoteChar(text);
      case PromQLLexer.UNTERMINATED_STRING -> "unterminated quoted string " + text.charAt(0);
      case PromQLLexer.BAD_NUMBER -> "bad number or duration syntax: \"" + text + "\"";
      default -> "unexpected " + tokenName(t);
    };
  }

  /** A token as Prometheus names it in messages. */
  static String tokenName(Token t) {
    String text = t.getText();
    return switch (t.getType()) {
      case PromQLLexer.LEFT_PAREN -> "left parenthesis '('";
      case PromQLLexer.RIGHT_PAREN -> "right parenthesis ')'";
      case PromQLLexer.LEFT_BRACE -> "left brace '{'";
      case PromQLLexer.RIGHT_BRACE -> "right brace '}'";
      case PromQLLexer.LEFT_BRACKET -> "left bracket '['";
      case PromQLLexer.RIGHT_BRACKET -> "right bracket ']'";
      case PromQLLexer.COMMA, PromQLLexer.COLON, PromQLLexer.EQL -> "\"" + text + "\"";
      case PromQLLexer.IDENTIFIER -> "identifier " + GoStrings.quote(text);
      case PromQLLexer.METRIC_IDENTIFIER -> "metric identifier " + GoStrings.quote(text);
      case PromQLLexer.NUMBER -> "number " + GoStrings.quote(text);
      case PromQLLexer.DURATION -> "duration " + GoStrings.quote(text);
      case PromQLLexer.STRING -> "string " + GoStrings.quote(text);
      case PromQLLexer.ADD, PromQLLexer.SUB, PromQLLexer.MUL, PromQLLexer.DIV, PromQLLexer.MOD, PromQLLexer.POW,
          PromQLLexer.EQLC, PromQLLexer.NEQ, PromQLLexer.GTR, PromQLLexer.LSS, PromQLLexer.GTE, PromQLLexer.LTE,
          PromQLLexer.AND, PromQLLexer.OR, PromQLLexer.UNLESS, PromQLLexer.ATAN2, PromQLLexer.AT,
          PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX -> "<op:" + text + ">";
      default -> "<" + text + ">";
    };
  }

  private static String quoteChar(String c) {
    return c.equals("'") ? "'\\''" : "'" + c + "'";
  }

  /** A parse error at character offset {@code at}, prefixed with Prometheus's {@code line:column:}. */
  static ParseException error(String query, int at, String message) {
    int line = 1;
    int lastBreak = -1;
    for (int i = 0; i < Math.min(at, query.length()); i++) {
      if (query.charAt(i) == '\n') {
        line++;
        lastBreak = i;
      }
    }
    return new ParseException(line + ":" + (at - lastBreak) + ": parse error: " + message, at, at + 1);
  }
}
