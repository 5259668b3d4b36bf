package dev.kiln.promql.engine;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.engine.Plan.Type;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads PromQL text into a {@link Plan}: a hand-written recursive-descent reader with Prometheus's
 * operator precedence ({@code ^} right-associative, unary minus between {@code ^} and {@code *}),
 * type checks and error messages ({@code 1:14: parse error: ...}). It also resolves Prometheus's
 * experimental duration expressions ({@code [5m * 2]}, {@code offset step()}) against the query's
 * step and range, which is why a reader is made per query.
 */
final class PlanReader {
  private static final Set<String> AGGREGATIONS = Set.of("sum", "avg", "min", "max", "count", "group",
      "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio");

  private final String q;
  private final long stepMillis;
  private final long rangeMillis;
  private int pos;
  private int bracketDepth;

  /**
   * @param stepMillis the query's step (0 for instant queries), for {@code step()} in durations
   * @param rangeMillis the query's end minus start, for {@code range()} in durations
   */
  PlanReader(String query, long stepMillis, long rangeMillis) {
    this.q = query;
    this.stepMillis = stepMillis;
    this.rangeMillis = rangeMillis;
  }

  /** Reads the whole query. */
  Plan read() {
    skipSpace();
    if (pos >= q.length()) {
      throw error(0, "no expression found in input");
    }
    Plan e = expr(0);
    skipSpace();
    if (pos < q.length()) {
      throw unexpected();
    }
    return e;
  }

  // ---- errors -------------------------------------------------------------------------------

  private ParseException error(int at, String msg) {
    int line = 1;
    int lastBreak = -1;
    for (int i = 0; i < Math.min(at, q.length()); i++) {
      if (q.charAt(i) == '\n') {
        line++;
        lastBreak = i;
      }
    }
    return new ParseException(line + ":" + (at - lastBreak) + ": parse error: " + msg, at, at + 1);
  }

  private ParseException unexpected() {
    skipSpace();
    if (pos >= q.length()) {
      return error(pos, "unexpected end of input");
    }
    char c = q.charAt(pos);
    String what = switch (c) {
      case ')' -> "right parenthesis ')'";
      case '(' -> "left parenthesis '('";
      case '}' -> "right brace '}'";
      case '{' -> "left brace '{'";
      case ']' -> "right bracket ']'";
      case '[' -> "left bracket '['";
      case ',' -> "\",\"";
      default -> {
        String w = word();
        yield w.isEmpty() ? "character '" + c + "'" : "identifier \"" + w + "\"";
      }
    };
    return error(pos, "unexpected " + what);
  }

  // ---- lexing helpers -----------------------------------------------------------------------

  private void skipSpace() {
    while (pos < q.length()) {
      char c = q.charAt(pos);
      if (c == '#') {
        while (pos < q.length() && q.charAt(pos) != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        break;
      }
    }
  }

  private boolean peek(String s) {
    skipSpace();
    return q.startsWith(s, pos);
  }

  private boolean accept(String s) {
    if (peek(s)) {
      pos += s.length();
      return true;
    }
    return false;
  }

  private void expect(String s) {
    if (!accept(s)) {
      throw unexpected();
    }
  }

  private static boolean isIdentStart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || (c == ':' && bracketDepth == 0);
  }

  /** The identifier at the current position (after spaces), without consuming it. */
  private String word() {
    skipSpace();
    if (pos >= q.length() || !isIdentStart(q.charAt(pos))) {
      return "";
    }
    int i = pos + 1;
    while (i < q.length() && isIdentPart(q.charAt(i))) {
      i++;
    }
    return q.substring(pos, i);
  }

  private boolean acceptKeyword(String kw) {
    String w = word();
    if (w.toLowerCase(Locale.ROOT).equals(kw)) {
      pos += w.length();
      return true;
    }
    return false;
  }

  /** True when the word at the current position is followed by '(' (a call). */
  private boolean wordIsCall(String w) {
    int i = pos + w.length();
    while (i < q.length() && Character.isWhitespace(q.charAt(i))) {
      i++;
    }
    return i < q.length() && q.charAt(i) == '(';
  }

  // ---- expressions --------------------------------------------------------------------------

  private record Op(Plan.BinOp op, int prec, boolean right, int length) {}

  private Op peekOp() {
    skipSpace();
    if (pos >= q.length()) {
      return null;
    }
    String w = word().toLowerCase(Locale.ROOT);
    switch (w) {
      case "or":
        return new Op(Plan.BinOp.OR, 1, false, 2);
      case "and":
        return new Op(Plan.BinOp.AND, 2, false, 3);
      case "unless":
        return new Op(Plan.BinOp.UNLESS, 2, false, 6);
      case "atan2":
        return new Op(Plan.BinOp.ATAN2, 5, false, 5);
      default:
        break;
    }
    if (!w.isEmpty()) {
      return null;
    }
    String two = q.substring(pos, Math.min(q.length(), pos + 2));
    if (two.equals(">/") || two.equals("</")) {
      throw error(pos, "the native histogram trim operator \"" + two + "\" is not supported: Kiln does not store native histograms yet");
    }
    switch (two) {
      case "==":
        return new Op(Plan.BinOp.EQL, 3, false, 2);
      case "!=":
        return new Op(Plan.BinOp.NEQ, 3, false, 2);
      case "<=":
        return new Op(Plan.BinOp.LTE, 3, false, 2);
      case ">=":
        return new Op(Plan.BinOp.GTE, 3, false, 2);
      default:
        break;
    }
    return switch (q.charAt(pos)) {
      case '<' -> new Op(Plan.BinOp.LSS, 3, false, 1);
      case '>' -> new Op(Plan.BinOp.GTR, 3, false, 1);
      case '+' -> new Op(Plan.BinOp.ADD, 4, false, 1);
      case '-' -> new Op(Plan.BinOp.SUB, 4, false, 1);
      case '*' -> new Op(Plan.BinOp.MUL, 5, false, 1);
      case '/' -> new Op(Plan.BinOp.DIV, 5, false, 1);
      case '%' -> new Op(Plan.BinOp.MOD, 5, false, 1);
      case '^' -> new Op(Plan.BinOp.POW, 6, true, 1);
      default -> null;
    };
  }

  private Plan expr(int minPrec) {
    Plan lhs = unary();
    while (true) {
      Op op = peekOp();
      if (op == null || op.prec < minPrec) {
        return lhs;
      }
      int opPos = pos;
      pos += op.length;
      lhs = binary(lhs, op, opPos);
    }
  }

  private Plan binary(Plan lhs, Op op, int opPos) {
    boolean returnBool = false;
    if (acceptKeyword("bool")) {
      if (!op.op.isComparison()) {
        throw error(opPos, "bool modifier can only be used on comparison operators");
      }
      returnBool = true;
    }
    boolean on = false;
    boolean matchingGiven = false;
    List<String> matching = List.of();
    List<String> include = List.of();
    Plan.Card card = op.op.isSetOperator() ? Plan.Card.MANY_TO_MANY : Plan.Card.ONE_TO_ONE;
    if (acceptKeyword("on")) {
      on = true;
      matchingGiven = true;
      matching = labelList();
    } else if (acceptKeyword("ignoring")) {
      matchingGiven = true;
      matching = labelList();
    }
    if (acceptKeyword("group_left")) {
      card = Plan.Card.MANY_TO_ONE;
      include = peek("(") ? labelList() : List.of();
    } else if (acceptKeyword("group_right")) {
      card = Plan.Card.ONE_TO_MANY;
      include = peek("(") ? labelList() : List.of();
    }
    Double fillLeft = null;
    Double fillRight = null;
    while (true) {
      String w = word().toLowerCase(Locale.ROOT);
      if (!(w.equals("fill") || w.equals("fill_left") || w.equals("fill_right")) || !wordIsCall(w)) {
        break;
      }
      pos += w.length();
      expect("(");
      boolean neg = accept("-");
      if (!neg) {
        accept("+");
      }
      double v = number();
      expect(")");
      v = neg ? -v : v;
      if (!w.equals("fill_right")) {
        fillLeft = v;
      }
      if (!w.equals("fill_left")) {
        fillRight = v;
      }
    }
    Plan rhs = expr(op.right ? op.prec : op.prec + 1);
    Type lt = lhs.type();
    Type rt = rhs.type();
    if ((lt != Type.SCALAR && lt != Type.VECTOR) || (rt != Type.SCALAR && rt != Type.VECTOR)) {
      throw error(lhs.pos() < 0 ? opPos : lhs.pos(), "binary expression must contain only scalar and instant vector types");
    }
    if (op.op.isComparison() && !returnBool && lt == Type.SCALAR && rt == Type.SCALAR) {
      throw error(lhs.pos(), "comparisons between scalars must use BOOL modifier");
    }
    if (op.op.isSetOperator() && (lt == Type.SCALAR || rt == Type.SCALAR)) {
      throw error(lhs.pos(), "set operator \"" + op.op.symbol + "\" not allowed in binary scalar expression");
    }
    if ((matchingGiven || card != Plan.Card.ONE_TO_ONE && card != Plan.Card.MANY_TO_MANY)
        && (lt != Type.VECTOR || rt != Type.VECTOR)) {
      throw error(lhs.pos(), "vector matching only allowed between instant vectors");
    }
    if (op.op.isSetOperator() && (card == Plan.Card.MANY_TO_ONE || card == Plan.Card.ONE_TO_MANY)) {
      throw error(lhs.pos(), "no grouping allowed for \"" + op.op.symbol + "\" operation");
    }
    if (card == Plan.Card.MANY_TO_ONE || card == Plan.Card.ONE_TO_MANY) {
      for (String l : include) {
        if (on && matching.contains(l)) {
          throw error(lhs.pos(), "label \"" + l + "\" must not occur in ON and GROUP clause at once");
        }
      }
    }
    return new Plan.Binary(op.op, lhs, rhs, returnBool,
        new Plan.Matching(card, on, matching, include, fillLeft, fillRight), lhs.pos());
  }

  private List<String> labelList() {
    expect("(");
    List<String> out = new ArrayList<>();
    while (!accept(")")) {
      skipSpace();
      if (peek("\"") || peek("'") || peek("`")) {
        out.add(string());
      } else {
        String w = word();
        if (w.isEmpty()) {
          throw unexpected();
        }
        pos += w.length();
        out.add(w);
      }
      if (!accept(",")) {
        expect(")");
        break;
      }
    }
    return out;
  }

  private Plan unary() {
    skipSpace();
    int start = pos;
    if (pos < q.length() && (q.charAt(pos) == '-' || q.charAt(pos) == '+')) {
      boolean minus = q.charAt(pos) == '-';
      pos++;
      Plan inner = expr(6);
      if (inner.type() != Type.SCALAR && inner.type() != Type.VECTOR) {
        throw error(start, "unary expression only allowed on expressions of type scalar or instant vector, got \""
            + Engine.typeName(inner.type()) + "\"");
      }
      if (!minus) {
        return inner;
      }
      if (inner instanceof Plan.NumberLiteral n) {
        return new Plan.NumberLiteral(-n.value(), start);
      }
      return new Plan.Negate(inner, start);
    }
    return postfix(primary());
  }

  private Plan postfix(Plan p) {
    boolean offsetSet = false;
    boolean atSet = false;
    while (true) {
      skipSpace();
      int at = pos;
      if (peek("[")) {
        pos++;
        bracketDepth++;
        long range = durationExpr();
        if (accept(":")) {
          long step = peek("]") ? 0 : durationExpr();
          expect("]");
          bracketDepth--;
          if (p.type() != Type.VECTOR) {
            throw error(p.pos(), "subquery is only allowed on instant vector, got "
                + Engine.typeName(p.type()) + " instead");
          }
          p = new Plan.Subquery(p, range, step, 0, Plan.At.NONE, p.pos());
        } else {
          expect("]");
          bracketDepth--;
          if (!(p instanceof Plan.Selector s) || offsetSet || atSet) {
            throw error(at, "ranges only allowed for vector selectors");
          }
          p = new Plan.RangeSelector(s, range, p.pos());
        }
        if (range <= 0) {
          throw error(at, "duration must be greater than 0");
        }
      } else if (word().equals("anchored") || word().equals("smoothed")) {
        boolean anchored = word().equals("anchored");
        pos += 8;
        if (p instanceof Plan.Selector s && !anchored) {
          p = s.withModifier(false, true);
        } else if (p instanceof Plan.RangeSelector rs) {
          p = new Plan.RangeSelector(rs.selector().withModifier(anchored, !anchored), rs.rangeMillis(), rs.pos());
        } else {
          throw error(at, (anchored ? "anchored" : "smoothed") + " modifier must follow a selector");
        }
      } else if (word().equalsIgnoreCase("offset")) {
        pos += 6;
        if (offsetSet) {
          throw error(at, "offset may not be set multiple times");
        }
        offsetSet = true;
        p = withOffset(p, offsetValue(), at);
      } else if (peek("@")) {
        pos++;
        if (atSet) {
          throw error(at, "@ <timestamp> may not be set multiple times");
        }
        atSet = true;
        Plan.At atv;
        if (acceptKeyword("start")) {
          expect("(");
          expect(")");
          atv = new Plan.At(Plan.AtKind.START, 0);
        } else if (acceptKeyword("end")) {
          expect("(");
          expect(")");
          atv = new Plan.At(Plan.AtKind.END, 0);
        } else {
          boolean neg = accept("-");
          if (!neg) {
            accept("+");
          }
          double seconds = numberOrDurationSeconds();
          if (neg) {
            seconds = -seconds;
          }
          if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            throw error(at, "timestamp out of bounds for @ modifier: " + seconds);
          }
          atv = new Plan.At(Plan.AtKind.TIME, Math.round(seconds * 1000));
        }
        p = withAt(p, atv, at);
      } else {
        return p;
      }
    }
  }

  private Plan withOffset(Plan p, long off, int at) {
    if (p instanceof Plan.Selector s) {
      return s.withOffset(off);
    }
    if (p instanceof Plan.RangeSelector rs) {
      return new Plan.RangeSelector(rs.selector().withOffset(off), rs.rangeMillis(), rs.pos());
    }
    if (p instanceof Plan.Subquery sq) {
      return new Plan.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), off, sq.at(), sq.pos());
    }
    throw error(at, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  private Plan withAt(Plan p, Plan.At atv, int at) {
    if (p instanceof Plan.Selector s) {
      return s.withAt(atv);
    }
    if (p instanceof Plan.RangeSelector rs) {
      return new Plan.RangeSelector(rs.selector().withAt(atv), rs.rangeMillis(), rs.pos());
    }
    if (p instanceof Plan.Subquery sq) {
      return new Plan.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), sq.offsetMillis(), atv, sq.pos());
    }
    throw error(at, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  private Plan primary() {
    skipSpace();
    int start = pos;
    if (pos >= q.length()) {
      throw error(pos, "unexpected end of input");
    }
    char c = q.charAt(pos);
    if (c == '(') {
      pos++;
      int saveDepth = bracketDepth;
      bracketDepth = 0;
      Plan e = expr(0);
      expect(")");
      bracketDepth = saveDepth;
      return new Plan.Paren(e, start);
    }
    if (c == '"' || c == '\'' || c == '`') {
      return new Plan.StringLiteral(string(), start);
    }
    if (c == '{') {
      return selector(null, start, false);
    }
    if (Character.isDigit(c) || c == '.') {
      return new Plan.NumberLiteral(numberOrDurationSeconds(), start);
    }
    String w = word();
    if (w.isEmpty()) {
      throw unexpected();
    }
    String lw = w.toLowerCase(Locale.ROOT);
    if ((lw.equals("inf") || lw.equals("nan")) && !wordIsCall(w)) {
      pos += w.length();
      return new Plan.NumberLiteral(lw.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN, start);
    }
    if (AGGREGATIONS.contains(lw) && (wordIsCall(w) || isGroupingAfter(w))) {
      pos += w.length();
      return aggregation(lw, start);
    }
    if (wordIsCall(w)) {
      pos += w.length();
      return call(w, start);
    }
    pos += w.length();
    if (Set.of("bool", "on", "ignoring", "group_left", "group_right", "offset", "by", "without")
        .contains(lw)) {
      pos = start;
      throw unexpected();
    }
    return selector(w, start, false);
  }

  private boolean isGroupingAfter(String w) {
    int save = pos;
    pos += w.length();
    String next = word().toLowerCase(Locale.ROOT);
    pos = save;
    return next.equals("by") || next.equals("without");
  }

  private Plan call(String name, int start) {
    FunctionSignatures.Signature sig = FunctionSignatures.byName(name);
    if (sig == null) {
      throw error(start, "unknown function with name \"" + name + "\"");
    }
    expect("(");
    List<Plan> args = new ArrayList<>();
    int saveDepth = bracketDepth;
    bracketDepth = 0;
    if (!accept(")")) {
      while (true) {
        if (name.equals("info") && args.size() == 1 && peek("{")) {
          skipSpace();
          args.add(selector(null, pos, true));
        } else {
          args.add(expr(0));
        }
        if (accept(",")) {
          continue;
        }
        expect(")");
        break;
      }
    }
    bracketDepth = saveDepth;
    checkCall(sig, args, start);
    return new Plan.Call(name, args, sig.returnType(), start);
  }

  private void checkCall(FunctionSignatures.Signature sig, List<Plan> args, int start) {
    int declared = sig.argTypes().size();
    String name = sig.name();
    if (sig.variadic() == 0) {
      if (args.size() != declared) {
        throw error(start, "expected " + declared + " argument(s) in call to \"" + name + "\", got " + args.size());
      }
    } else if (sig.variadic() > 0) {
      int min = declared - sig.variadic();
      if (args.size() < min) {
        throw error(start, "expected at least " + min + " argument(s) in call to \"" + name + "\", got " + args.size());
      }
      if (args.size() > declared) {
        throw error(start, "expected at most " + declared + " argument(s) in call to \"" + name + "\", got " + args.size());
      }
    } else if (args.size() < declared - 1) {
      throw error(start, "expected at least " + (declared - 1) + " argument(s) in call to \"" + name + "\", got " + args.size());
    }
    for (int i = 0; i < args.size(); i++) {
      Type want = sig.argTypes().get(Math.min(i, declared - 1));
      Type got = args.get(i).type();
      if (got != want) {
        throw error(args.get(i).pos(), "expected type " + Engine.typeName(want) + " in call to function \""
            + name + "\", got " + Engine.typeName(got));
      }
    }
  }

  private Plan aggregation(String op, int start) {
    List<String> grouping = List.of();
    boolean without = false;
    boolean groupingSet = false;
    if (acceptKeyword("by")) {
      grouping = labelList();
      groupingSet = true;
    } else if (acceptKeyword("without")) {
      without = true;
      grouping = labelList();
      groupingSet = true;
    }
    expect("(");
    int saveDepth = bracketDepth;
    bracketDepth = 0;
    List<Plan> args = new ArrayList<>();
    if (!accept(")")) {
      while (true) {
        args.add(expr(0));
        if (accept(",")) {
          continue;
        }
        expect(")");
        break;
      }
    }
    bracketDepth = saveDepth;
    if (!groupingSet) {
      if (acceptKeyword("by")) {
        grouping = labelList();
      } else if (acceptKeyword("without")) {
        without = true;
        grouping = labelList();
      }
    }
    Plan.AggOp aggOp = Plan.AggOp.valueOf(op.toUpperCase(Locale.ROOT));
    boolean hasParam = aggOp == Plan.AggOp.TOPK || aggOp == Plan.AggOp.BOTTOMK || aggOp == Plan.AggOp.QUANTILE
        || aggOp == Plan.AggOp.COUNT_VALUES || aggOp == Plan.AggOp.LIMITK || aggOp == Plan.AggOp.LIMIT_RATIO;
    int want = hasParam ? 2 : 1;
    if (args.size() != want) {
      throw error(start, "wrong number of arguments for aggregate expression provided, expected " + want
          + ", got " + args.size());
    }
    Plan param = hasParam ? args.get(0) : null;
    Plan e = args.get(args.size() - 1);
    if (e.type() != Type.VECTOR) {
      throw error(e.pos(), "expected type instant vector in aggregation expression, got " + Engine.typeName(e.type()));
    }
    if (param != null) {
      Type pt = aggOp == Plan.AggOp.COUNT_VALUES ? Type.STRING : Type.SCALAR;
      if (param.type() != pt) {
        throw error(param.pos(), "expected type " + Engine.typeName(pt) + " in aggregation parameter, got "
            + Engine.typeName(param.type()));
      }
    }
    return new Plan.Aggregate(aggOp, e, param, grouping, without, start);
  }

  private Plan selector(String name, int start, boolean allowEmpty) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (name != null) {
      matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
    }
    String quotedName = null;
    if (accept("{")) {
      while (!accept("}")) {
        skipSpace();
        int labelPos = pos;
        String ln;
        if (peek("\"") || peek("'") || peek("`")) {
          ln = string();
          if (peek(",") || peek("}")) {
            if (name != null || quotedName != null) {
              throw error(labelPos, "metric name must not be set twice: \"" + (name != null ? name : quotedName)
                  + "\" or \"" + ln + "\"");
            }
            quotedName = ln;
            matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, ln));
            accept(",");
            continue;
          }
        } else {
          ln = word();
          if (ln.isEmpty()) {
            throw unexpected();
          }
          pos += ln.length();
        }
        LabelMatcher.Type t;
        if (accept("=~")) {
          t = LabelMatcher.Type.REGEX;
        } else if (accept("!~")) {
          t = LabelMatcher.Type.NOT_REGEX;
        } else if (accept("!=")) {
          t = LabelMatcher.Type.NOT_EQUAL;
        } else if (accept("=")) {
          t = LabelMatcher.Type.EQUAL;
        } else {
          throw unexpected();
        }
        skipSpace();
        if (!(peek("\"") || peek("'") || peek("`"))) {
          throw unexpected();
        }
        String v = string();
        if (name != null && ln.equals(Labels.METRIC_NAME)) {
          throw error(labelPos, "metric name must not be set twice: \"" + name + "\" or \"" + v + "\"");
        }
        try {
          matchers.add(LabelMatcher.of(t, ln, v));
        } catch (IllegalArgumentException e) {
          throw error(labelPos, e.getMessage());
        }
        if (!accept(",")) {
          expect("}");
          break;
        }
      }
    }
    boolean nonEmpty = false;
    for (LabelMatcher m : matchers) {
      if (!m.matchesEmpty()) {
        nonEmpty = true;
      }
    }
    if (!nonEmpty && !allowEmpty) {
      throw error(start, "vector selector must contain at least one non-empty matcher");
    }
    return new Plan.Selector(name != null ? name : quotedName, matchers, 0, Plan.At.NONE, start);
  }

  // ---- literals -----------------------------------------------------------------------------

  /** Reads a Go-quoted string; bytes that are not valid UTF-8 (from {@code \x} escapes) are
   * kept as U+DC00+byte, so they can be reported byte for byte. */
  private String string() {
    skipSpace();
    int start = pos;
    char quote = q.charAt(pos++);
    StringBuilder sb = new StringBuilder();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    while (true) {
      if (pos >= q.length()) {
        throw error(start, "unterminated quoted string " + quote);
      }
      char c = q.charAt(pos);
      if (c == quote) {
        pos++;
        break;
      }
      if (c == '\n' && quote != '`') {
        throw error(start, "unterminated quoted string " + quote);
      }
      if (c != '\\' || quote == '`') {
        sb.append(c);
        pos++;
        continue;
      }
      if (pos + 1 >= q.length()) {
        throw error(start, "unterminated quoted string " + quote);
      }
      char e = q.charAt(pos + 1);
      pos += 2;
      switch (e) {
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'v' -> sb.append('\u000b');
        case '\\' -> sb.append('\\');
        case '\'', '"' -> {
          if (e != quote) {
            throw error(pos - 2, "unknown escape sequence");
          }
          sb.append(e);
        }
        case 'x', '0', '1', '2', '3', '4', '5', '6', '7' -> {
          bytes.reset();
          pos -= 2;
          while (pos + 1 < q.length() && q.charAt(pos) == '\\'
              && (q.charAt(pos + 1) == 'x' || (q.charAt(pos + 1) >= '0' && q.charAt(pos + 1) <= '7'))) {
            if (q.charAt(pos + 1) == 'x') {
              bytes.write(hex(pos + 2, 2));
              pos += 4;
            } else {
              bytes.write(Integer.parseInt(q.substring(pos + 1, Math.min(q.length(), pos + 4)), 8));
              pos += 4;
            }
          }
          appendUtf8(sb, bytes.toByteArray());
        }
        case 'u' -> {
          sb.appendCodePoint(hex(pos, 4));
          pos += 4;
        }
        case 'U' -> {
          sb.appendCodePoint(hex(pos, 8));
          pos += 8;
        }
        default -> throw error(pos - 2, "unknown escape sequence");
      }
    }
    return sb.toString();
  }

  private int hex(int at, int n) {
    if (at + n > q.length()) {
      throw error(at, "invalid escape sequence");
    }
    try {
      return Integer.parseInt(q.substring(at, at + n), 16);
    } catch (NumberFormatException e) {
      throw error(at, "invalid escape sequence");
    }
  }

  /** Decodes UTF-8 bytes; bytes that are not valid UTF-8 become U+DC00+byte. */
  private static void appendUtf8(StringBuilder sb, byte[] b) {
    java.nio.charset.CharsetDecoder d = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
    int i = 0;
    while (i < b.length) {
      int len = utf8Length(b[i]);
      if (len > 0 && i + len <= b.length) {
        try {
          sb.append(d.decode(java.nio.ByteBuffer.wrap(b, i, len)));
          i += len;
          continue;
        } catch (java.nio.charset.CharacterCodingException e) {
          // Not valid UTF-8: keep the byte itself below.
        }
      }
      sb.append((char) (0xDC00 + (b[i] & 0xff)));
      i++;
    }
  }

  private static int utf8Length(byte first) {
    int b = first & 0xff;
    if (b < 0x80) {
      return 1;
    }
    if (b >= 0xc2 && b < 0xe0) {
      return 2;
    }
    if (b >= 0xe0 && b < 0xf0) {
      return 3;
    }
    if (b >= 0xf0 && b < 0xf5) {
      return 4;
    }
    return -1;
  }

  private double number() {
    skipSpace();
    int start = pos;
    String w = word();
    String lw = w.toLowerCase(Locale.ROOT);
    if (lw.equals("inf") || lw.equals("nan")) {
      pos += w.length();
      return lw.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    if (q.startsWith("0x", pos) || q.startsWith("0X", pos)) {
      pos += 2;
      int s = pos;
      while (pos < q.length() && Character.digit(q.charAt(pos), 16) >= 0) {
        pos++;
      }
      if (s == pos) {
        throw error(start, "bad number or duration syntax: \"" + q.substring(start, pos) + "\"");
      }
      return Long.parseLong(q.substring(s, pos), 16);
    }
    while (pos < q.length() && (Character.isDigit(q.charAt(pos)) || q.charAt(pos) == '.')) {
      pos++;
    }
    if (pos < q.length() && (q.charAt(pos) == 'e' || q.charAt(pos) == 'E')) {
      int save = pos;
      pos++;
      if (pos < q.length() && (q.charAt(pos) == '+' || q.charAt(pos) == '-')) {
        pos++;
      }
      if (pos < q.length() && Character.isDigit(q.charAt(pos))) {
        while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
          pos++;
        }
      } else {
        pos = save;
      }
    }
    if (pos == start) {
      throw unexpected();
    }
    try {
      return Double.parseDouble(q.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error(start, "bad number or duration syntax: \"" + q.substring(start, pos) + "\"");
    }
  }

  /** A number, or a duration literal read as seconds (Prometheus 3 accepts both). */
  private double numberOrDurationSeconds() {
    skipSpace();
    int save = pos;
    if (pos < q.length() && Character.isDigit(q.charAt(pos))) {
      int i = pos;
      while (i < q.length() && Character.isDigit(q.charAt(i))) {
        i++;
      }
      if (i < q.length() && "smhdwy".indexOf(q.charAt(i)) >= 0
          && !(i + 1 < q.length() && isIdentPart(q.charAt(i + 1)) && !isDurationContinuation(i))) {
        return durationLiteral() / 1000.0;
      }
    }
    pos = save;
    return number();
  }

  private boolean isDurationContinuation(int unitAt) {
    // "ms" or a following digit group such as "1h30m".
    if (q.startsWith("ms", unitAt)) {
      return true;
    }
    int next = unitAt + 1;
    return next < q.length() && Character.isDigit(q.charAt(next));
  }

  /** A duration literal such as 1h30m, in milliseconds. */
  private long durationLiteral() {
    skipSpace();
    int start = pos;
    long total = 0;
    int lastUnit = -1;
    String units = "y w d h m s ms";
    while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
      int ns = pos;
      while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
        pos++;
      }
      long n = Long.parseLong(q.substring(ns, pos));
      long unit;
      int rank;
      if (q.startsWith("ms", pos)) {
        unit = 1;
        rank = 6;
        pos += 2;
      } else if (pos < q.length() && "smhdwy".indexOf(q.charAt(pos)) >= 0) {
        char u = q.charAt(pos);
        unit = switch (u) {
          case 's' -> 1000L;
          case 'm' -> 60_000L;
          case 'h' -> 3_600_000L;
          case 'd' -> 86_400_000L;
          case 'w' -> 604_800_000L;
          default -> 31_536_000_000L;
        };
        rank = "ywdhms".indexOf(u);
        pos++;
      } else {
        throw error(start, "bad duration syntax: \"" + q.substring(start, pos) + "\"");
      }
      if (rank <= lastUnit) {
        throw error(start, "bad duration syntax: \"" + q.substring(start, pos) + "\"");
      }
      lastUnit = rank;
      total += n * unit;
    }
    if (pos == start) {
      throw unexpected();
    }
    return total;
  }

  // ---- duration expressions -----------------------------------------------------------------

  /** The value of an offset: a signed term, where a term is a duration, number, call or (...). */
  private long offsetValue() {
    skipSpace();
    boolean neg = false;
    if (accept("-")) {
      neg = true;
    } else {
      accept("+");
    }
    double seconds = durationTerm();
    return Math.round((neg ? -seconds : seconds) * 1000);
  }

  /** A bracketed duration expression, in milliseconds. */
  private long durationExpr() {
    return Math.round(durationSum() * 1000);
  }

  private double durationSum() {
    double v = durationProduct();
    while (true) {
      if (accept("+")) {
        v += durationProduct();
      } else if (peek("-")) {
        pos++;
        v -= durationProduct();
      } else {
        return v;
      }
    }
  }

  private double durationProduct() {
    double v = durationUnary();
    while (true) {
      if (accept("*")) {
        v *= durationUnary();
      } else if (accept("/")) {
        v /= durationUnary();
      } else if (accept("%")) {
        v %= durationUnary();
      } else {
        return v;
      }
    }
  }

  private double durationUnary() {
    if (accept("-")) {
      return -durationUnary();
    }
    if (accept("+")) {
      return durationUnary();
    }
    double base = durationTerm();
    if (accept("^")) {
      return BinaryOperators.pow(base, durationUnary());
    }
    return base;
  }

  /** A duration or number (seconds), a parenthesized duration expression, or a duration function. */
  private double durationTerm() {
    skipSpace();
    if (accept("(")) {
      int saveDepth = bracketDepth;
      bracketDepth = 1;
      double v = durationSum();
      expect(")");
      bracketDepth = saveDepth;
      return v;
    }
    String w = word().toLowerCase(Locale.ROOT);
    if (!w.isEmpty() && wordIsCall(w)) {
      int at = pos;
      pos += w.length();
      switch (w) {
        case "step" -> {
          expect("(");
          expect(")");
          return stepMillis / 1000.0;
        }
        case "range" -> {
          expect("(");
          expect(")");
          return rangeMillis / 1000.0;
        }
        case "min_of", "max_of" -> {
          expect("(");
          int saveDepth = bracketDepth;
          bracketDepth = 1;
          double a = durationSum();
          expect(",");
          double b = durationSum();
          expect(")");
          bracketDepth = saveDepth;
          return w.equals("min_of") ? Math.min(a, b) : Math.max(a, b);
        }
        default -> {
          pos = at;
          throw unexpected();
        }
      }
    }
    return numberOrDurationSeconds();
  }
}
