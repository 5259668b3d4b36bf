package dev.kiln.promql.engine;

import dev.kiln.promql.ParseException;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A small recursive-descent PromQL reader producing {@link Plan}s directly, used only by the
 * engine's tests so the evaluator can be exercised independently of the production parser.
 */
final class BootstrapPlanParser {
  private static final Set<String> AGGREGATIONS =
      Set.of("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
          "quantile", "count_values", "limitk", "limit_ratio");
  private static final Set<String> SCALAR_FUNCTIONS = Set.of("time", "pi", "scalar", "step", "range", "start", "end", "min_of", "max_of");

  private final String q;
  private int pos;

  private BootstrapPlanParser(String q) {
    this.q = q;
  }

  static Plan parse(String query) {
    BootstrapPlanParser p = new BootstrapPlanParser(query);
    Plan e = p.expr(0);
    p.skipSpace();
    if (p.pos < query.length()) {
      throw p.error("unexpected character '" + query.charAt(p.pos) + "'");
    }
    return e;
  }

  private ParseException error(String msg) {
    return new ParseException("1:" + (pos + 1) + ": parse error: " + msg, pos, pos + 1);
  }

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
      throw error("expected \"" + s + "\"");
    }
  }

  private String peekWord() {
    skipSpace();
    int i = pos;
    while (i < q.length() && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '_' || q.charAt(i) == ':')) {
      i++;
    }
    return q.substring(pos, i);
  }

  private boolean acceptKeyword(String kw) {
    String w = peekWord();
    if (w.toLowerCase(Locale.ROOT).equals(kw)) {
      pos += w.length();
      return true;
    }
    return false;
  }

  private record OpInfo(Plan.BinOp op, int prec, boolean right, String text) {}

  private OpInfo peekBinOp() {
    skipSpace();
    String w = peekWord().toLowerCase(Locale.ROOT);
    switch (w) {
      case "or":
        return new OpInfo(Plan.BinOp.OR, 1, false, w);
      case "and":
        return new OpInfo(Plan.BinOp.AND, 2, false, w);
      case "unless":
        return new OpInfo(Plan.BinOp.UNLESS, 2, false, w);
      case "atan2":
        return new OpInfo(Plan.BinOp.ATAN2, 5, false, w);
      default:
        break;
    }
    String[][] ops = {
      {"==", "EQL", "3"}, {"!=", "NEQ", "3"}, {"<=", "LTE", "3"}, {">=", "GTE", "3"}, {"<", "LSS", "3"},
      {">", "GTR", "3"}, {"+", "ADD", "4"}, {"-", "SUB", "4"}, {"*", "MUL", "5"}, {"/", "DIV", "5"},
      {"%", "MOD", "5"}, {"^", "POW", "6"}
    };
    for (String[] o : ops) {
      if (q.startsWith(o[0], pos)) {
        return new OpInfo(Plan.BinOp.valueOf(o[1]), Integer.parseInt(o[2]), o[0].equals("^"), o[0]);
      }
    }
    return null;
  }

  private Plan expr(int minPrec) {
    Plan lhs = unary();
    while (true) {
      OpInfo op = peekBinOp();
      if (op == null || op.prec < minPrec || (op.prec == minPrec && !op.right && minPrec > 0 && false)) {
        break;
      }
      if (op.prec < minPrec) {
        break;
      }
      int opPos = pos;
      pos += op.text.length();
      boolean returnBool = acceptKeyword("bool");
      boolean on = false;
      List<String> matching = List.of();
      List<String> include = List.of();
      Plan.Card card = op.op.isSetOperator() ? Plan.Card.MANY_TO_MANY : Plan.Card.ONE_TO_ONE;
      if (acceptKeyword("on")) {
        on = true;
        matching = labelList();
      } else if (acceptKeyword("ignoring")) {
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
        String w = peekWord().toLowerCase(Locale.ROOT);
        if (!(w.equals("fill") || w.equals("fill_left") || w.equals("fill_right"))) {
          break;
        }
        int save = pos;
        pos += w.length();
        if (!peek("(")) {
          pos = save;
          break;
        }
        expect("(");
        boolean neg = accept("-");
        double v = number();
        expect(")");
        v = neg ? -v : v;
        if (w.equals("fill") || w.equals("fill_left")) {
          fillLeft = v;
        }
        if (w.equals("fill") || w.equals("fill_right")) {
          fillRight = v;
        }
      }
      int nextMin = op.right ? op.prec : op.prec + 1;
      Plan rhs = expr(nextMin);
      if (op.op.isComparison() && !returnBool && lhs.type() == Plan.Type.SCALAR
          && rhs.type() == Plan.Type.SCALAR) {
        throw new ParseException("1:" + (opPos + 1) + ": parse error: comparisons between scalars must use BOOL modifier", opPos, opPos);
      }
      if (op.op.isSetOperator() && (lhs.type() == Plan.Type.SCALAR || rhs.type() == Plan.Type.SCALAR)) {
        throw new ParseException("1:" + (opPos + 1) + ": parse error: set operator \"" + op.text
            + "\" not allowed in binary scalar expression", opPos, opPos);
      }
      lhs = new Plan.Binary(op.op, lhs, rhs, returnBool,
          new Plan.Matching(card, on, matching, include, fillLeft, fillRight), lhs.pos());
    }
    return lhs;
  }

  private List<String> labelList() {
    expect("(");
    List<String> out = new ArrayList<>();
    while (!accept(")")) {
      skipSpace();
      if (peek("\"") || peek("'")) {
        out.add(string());
      } else {
        String w = peekWord();
        if (w.isEmpty()) {
          throw error("expected label name");
        }
        pos += w.length();
        out.add(w);
      }
      accept(",");
    }
    return out;
  }

  private Plan unary() {
    skipSpace();
    int start = pos;
    if (accept("-")) {
      Plan inner = expr(6);
      if (inner instanceof Plan.NumberLiteral n) {
        return new Plan.NumberLiteral(-n.value(), start);
      }
      return new Plan.Negate(inner, start);
    }
    if (accept("+")) {
      return expr(6);
    }
    return postfix(primary());
  }

  private Plan postfix(Plan p) {
    while (true) {
      skipSpace();
      if (peek("[")) {
        pos++;
        long range = duration();
        if (accept(":")) {
          long step = peek("]") ? 0 : duration();
          expect("]");
          p = new Plan.Subquery(p, range, step, 0, Plan.At.NONE, p.pos());
        } else {
          expect("]");
          if (!(p instanceof Plan.Selector s)) {
            throw error("ranges only allowed for vector selectors");
          }
          p = new Plan.RangeSelector(s, range, p.pos());
        }
      } else if (peekWord().equals("anchored") || peekWord().equals("smoothed")) {
        boolean anchored = peekWord().equals("anchored");
        pos += 8;
        if (p instanceof Plan.Selector s) {
          p = s.withModifier(anchored, !anchored);
        } else if (p instanceof Plan.RangeSelector rs) {
          p = new Plan.RangeSelector(rs.selector().withModifier(anchored, !anchored), rs.rangeMillis(), rs.pos());
        } else {
          throw error("anchored/smoothed must follow a selector");
        }
      } else if (peekWord().equalsIgnoreCase("offset")) {
        pos += 6;
        boolean neg = accept("-");
        long d = duration();
        p = withOffset(p, neg ? -d : d);
      } else if (accept("@")) {
        Plan.At at;
        if (acceptKeyword("start")) {
          expect("(");
          expect(")");
          at = new Plan.At(Plan.AtKind.START, 0);
        } else if (acceptKeyword("end")) {
          expect("(");
          expect(")");
          at = new Plan.At(Plan.AtKind.END, 0);
        } else {
          boolean neg = accept("-");
          double v = numberOrDuration();
          at = new Plan.At(Plan.AtKind.TIME, Math.round((neg ? -v : v) * 1000));
        }
        p = withAt(p, at);
      } else {
        return p;
      }
    }
  }

  private static Plan withOffset(Plan p, long off) {
    if (p instanceof Plan.Selector s) {
      return s.withOffset(off);
    }
    if (p instanceof Plan.RangeSelector rs) {
      return new Plan.RangeSelector(rs.selector().withOffset(off), rs.rangeMillis(), rs.pos());
    }
    if (p instanceof Plan.Subquery sq) {
      return new Plan.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), off, sq.at(), sq.pos());
    }
    throw new ParseException("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", -1, -1);
  }

  private static Plan withAt(Plan p, Plan.At at) {
    if (p instanceof Plan.Selector s) {
      return s.withAt(at);
    }
    if (p instanceof Plan.RangeSelector rs) {
      return new Plan.RangeSelector(rs.selector().withAt(at), rs.rangeMillis(), rs.pos());
    }
    if (p instanceof Plan.Subquery sq) {
      return new Plan.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), sq.offsetMillis(), at, sq.pos());
    }
    throw new ParseException("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", -1, -1);
  }

  private Plan primary() {
    skipSpace();
    int start = pos;
    if (pos >= q.length()) {
      throw error("unexpected end of input");
    }
    char c = q.charAt(pos);
    if (c == '(') {
      pos++;
      Plan e = expr(0);
      expect(")");
      return new Plan.Paren(e, start);
    }
    if (c == '"' || c == '\'' || c == '`') {
      return new Plan.StringLiteral(string(), start);
    }
    if (c == '{') {
      return selector(null, start, false);
    }
    if (Character.isDigit(c) || c == '.') {
      return new Plan.NumberLiteral(numberOrDuration(), start);
    }
    String w = peekWord();
    if (w.isEmpty()) {
      throw error("unexpected character '" + c + "'");
    }
    String lw = w.toLowerCase(Locale.ROOT);
    if (lw.equals("inf") || lw.equals("nan")) {
      pos += w.length();
      return new Plan.NumberLiteral(lw.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN, start);
    }
    pos += w.length();
    if (AGGREGATIONS.contains(lw) && (peek("(") || peekWord().equalsIgnoreCase("by") || peekWord().equalsIgnoreCase("without"))) {
      return aggregation(lw, start);
    }
    if (peek("(")) {
      pos++;
      List<Plan> args = new ArrayList<>();
      while (!accept(")")) {
        if (w.equals("info") && args.size() == 1 && peek("{")) {
          skipSpace();
          args.add(selector(null, pos, true));
        } else {
          args.add(expr(0));
        }
        accept(",");
      }
      Plan.Type t = SCALAR_FUNCTIONS.contains(w) ? Plan.Type.SCALAR : Plan.Type.VECTOR;
      return new Plan.Call(w, args, t, start);
    }
    return selector(w, start, false);
  }

  private Plan aggregation(String op, int start) {
    List<String> grouping = List.of();
    boolean without = false;
    if (acceptKeyword("by")) {
      grouping = labelList();
    } else if (acceptKeyword("without")) {
      without = true;
      grouping = labelList();
    }
    expect("(");
    List<Plan> args = new ArrayList<>();
    while (!accept(")")) {
      args.add(expr(0));
      accept(",");
    }
    if (acceptKeyword("by")) {
      grouping = labelList();
    } else if (acceptKeyword("without")) {
      without = true;
      grouping = labelList();
    }
    Plan param = args.size() > 1 ? args.get(0) : null;
    Plan e = args.get(args.size() - 1);
    return new Plan.Aggregate(Plan.AggOp.valueOf(op.toUpperCase(Locale.ROOT)), e, param, grouping, without, start);
  }

  private Plan selector(String name, int start, boolean allowEmpty) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (name != null) {
      matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
    }
    if (accept("{")) {
      while (!accept("}")) {
        skipSpace();
        String ln;
        if (peek("\"") || peek("'") || peek("`")) {
          ln = string();
          skipSpace();
          if (peek(",") || peek("}")) {
            matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, ln));
            accept(",");
            continue;
          }
        } else {
          ln = peekWord();
          pos += ln.length();
        }
        LabelMatcher.Type t;
        if (accept("=~")) {
          t = LabelMatcher.Type.REGEX;
        } else if (accept("!~")) {
          t = LabelMatcher.Type.NOT_REGEX;
        } else if (accept("!=")) {
          t = LabelMatcher.Type.NOT_EQUAL;
        } else {
          expect("=");
          t = LabelMatcher.Type.EQUAL;
        }
        skipSpace();
        String v = string();
        try {
          matchers.add(LabelMatcher.of(t, ln, v));
        } catch (IllegalArgumentException e) {
          throw new ParseException("1:" + (pos + 1) + ": parse error: " + e.getMessage(), pos, pos);
        }
        accept(",");
      }
    }
    boolean nonEmpty = false;
    for (LabelMatcher m : matchers) {
      if (!m.matchesEmpty()) {
        nonEmpty = true;
      }
    }
    if (!nonEmpty && !allowEmpty) {
      throw new ParseException("1:" + (start + 1) + ": parse error: vector selector must contain at least one non-empty matcher", start, pos);
    }
    return new Plan.Selector(name, matchers, 0, Plan.At.NONE, start);
  }

  private String string() {
    skipSpace();
    int[] p = {pos};
    String s = dev.kiln.promql.engine.conformance.QuotedStrings.read(q, p);
    pos = p[0];
    return s;
  }

  private double number() {
    skipSpace();
    int start = pos;
    String w = peekWord();
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
      throw error("expected number");
    }
    return Double.parseDouble(q.substring(start, pos));
  }

  private double numberOrDuration() {
    int save = pos;
    double v = number();
    if (pos < q.length() && "smhdwy".indexOf(q.charAt(pos)) >= 0 && !q.substring(save, pos).contains(".")) {
      pos = save;
      return duration() / 1000.0;
    }
    return v;
  }

  private long duration() {
    skipSpace();
    int start = pos;
    long total = 0;
    boolean any = false;
    while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
      int ns = pos;
      while (pos < q.length() && Character.isDigit(q.charAt(pos))) {
        pos++;
      }
      long n = Long.parseLong(q.substring(ns, pos));
      long unit;
      if (q.startsWith("ms", pos)) {
        unit = 1;
        pos += 2;
      } else if (pos < q.length() && "smhdwy".indexOf(q.charAt(pos)) >= 0) {
        unit = switch (q.charAt(pos)) {
          case 's' -> 1000L;
          case 'm' -> 60_000L;
          case 'h' -> 3_600_000L;
          case 'd' -> 86_400_000L;
          case 'w' -> 604_800_000L;
          default -> 31_536_000_000L;
        };
        pos++;
      } else {
        // A plain number of seconds.
        unit = 1000L;
      }
      total += n * unit;
      any = true;
    }
    if (!any) {
      pos = start;
      throw error("expected duration");
    }
    return total;
  }
}
