package dev.kiln.promql.parser;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.promql.ast.AtModifier;
import dev.kiln.promql.ast.BinaryOp;
import dev.kiln.promql.ast.DurationExpr;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.PositionRange;
import dev.kiln.promql.ast.ValueType;
import dev.kiln.promql.ast.VectorMatching;
import dev.kiln.promql.ast.VectorMatching.Cardinality;
import dev.kiln.promql.parser.PromQLGrammar.AtValueContext;
import dev.kiln.promql.parser.PromQLGrammar.BinModifierContext;
import dev.kiln.promql.parser.PromQLGrammar.DurationAtomContext;
import dev.kiln.promql.parser.PromQLGrammar.DurationExprContext;
import dev.kiln.promql.parser.PromQLGrammar.ExpressionContext;
import dev.kiln.promql.parser.PromQLGrammar.FillModifierContext;
import dev.kiln.promql.parser.PromQLGrammar.GroupingContext;
import dev.kiln.promql.parser.PromQLGrammar.LabelListContext;
import dev.kiln.promql.parser.PromQLGrammar.LabelMatcherContext;
import dev.kiln.promql.parser.PromQLGrammar.LabelNameContext;
import dev.kiln.tsdb.model.Durations;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns the ANTLR parse tree into Kiln's {@link Expr} tree and makes the checks Prometheus's
 * parser makes after syntax: operand and argument types, arities, modifiers that may appear once,
 * selectors that match something. Errors carry the position and Prometheus's wording.
 */
final class AstBuilder {
  private final String query;

  AstBuilder(String query) {
    this.query = query;
  }

  Expr build(PromQLGrammar.QueryContext ctx) {
    return expr(ctx.expression());
  }

  // ---- expressions --------------------------------------------------------------------------

  private Expr expr(ExpressionContext ctx) {
    if (ctx instanceof PromQLGrammar.RangeOrSubqueryContext c) {
      return rangeOrSubquery(c);
    } else if (ctx instanceof PromQLGrammar.ExtendedRangeContext c) {
      return extendedRange(c);
    } else if (ctx instanceof PromQLGrammar.OffsetContext c) {
      return offset(c);
    } else if (ctx instanceof PromQLGrammar.AtContext c) {
      return at(c);
    } else if (ctx instanceof PromQLGrammar.BinaryContext c) {
      return binary(c);
    } else if (ctx instanceof PromQLGrammar.UnaryContext c) {
      return unary(c);
    } else if (ctx instanceof PromQLGrammar.NumberLiteralContext c) {
      return numberLiteral(c.getStart(), range(c));
    } else if (ctx instanceof PromQLGrammar.StringLiteralContext c) {
      return new Expr.StringLiteral(unquote(c.STRING().getSymbol()), range(c));
    } else if (ctx instanceof PromQLGrammar.ParenContext c) {
      return new Expr.ParenExpr(expr(c.expression()), range(c));
    } else if (ctx instanceof PromQLGrammar.CallContext c) {
      return callOrAggregate(c);
    } else if (ctx instanceof PromQLGrammar.SelectorContext c) {
      return selector(c, false);
    }
    throw new IllegalStateException("unhandled parse tree node " + ctx.getClass().getSimpleName());
  }

  private Expr rangeOrSubquery(PromQLGrammar.RangeOrSubqueryContext c) {
    Expr inner = expr(c.expression());
    int bracket = c.LEFT_BRACKET().getSymbol().getStartIndex();
    DurationExpr range = topLevel(duration(c.range));
    checkPositive(range, bracket);
    PositionRange pos = range(c);
    if (c.COLON() != null) {
      if (inner.type() != ValueType.VECTOR) {
        throw error(inner.position().start(), "subquery is only allowed on instant vector, got "
            + inner.type().displayName() + " instead");
      }
      DurationExpr step = c.step == null ? null : topLevel(duration(c.step));
      return new Expr.SubqueryExpr(inner, range, step, null, AtModifier.NONE, pos);
    }
    if (!(inner instanceof Expr.VectorSelector vs)) {
      throw error(bracket, "ranges only allowed for vector selectors");
    }
    if (vs.offset() != null) {
      throw error(bracket, "no offset modifiers allowed before range");
    }
    if (vs.at().isSet()) {
      throw error(bracket, "no @ modifiers allowed before range");
    }
    return new Expr.MatrixSelector(vs, range, pos);
  }

  private Expr extendedRange(PromQLGrammar.ExtendedRangeContext c) {
    Expr inner = expr(c.expression());
    boolean anchored = c.ANCHORED() != null;
    if (inner instanceof Expr.VectorSelector vs && !anchored) {
      return vs.withModifiers(false, true);
    }
    if (inner instanceof Expr.MatrixSelector ms) {
      return new Expr.MatrixSelector(ms.selector().withModifiers(anchored, !anchored), ms.range(), ms.position());
    }
    Token modifier = anchored ? c.ANCHORED().getSymbol() : c.SMOOTHED().getSymbol();
    throw error(modifier.getStartIndex(), modifier.getText().toLowerCase(Locale.ROOT)
        + " modifier must follow a selector");
  }

  private Expr offset(PromQLGrammar.OffsetContext c) {
    Expr inner = expr(c.expression());
    int at = c.OFFSET().getSymbol().getStartIndex();
    PromQLGrammar.OffsetValueContext v = c.offsetValue();
    DurationExpr value = durationAtom(v.durationAtom());
    if (v.sign != null && v.sign.getType() == PromQLLexer.SUB) {
      value = negate(value);
    }
    value = topLevel(value);
    if (inner instanceof Expr.VectorSelector vs) {
      checkOffsetUnset(vs.offset(), at);
      return vs.withOffset(value);
    } else if (inner instanceof Expr.MatrixSelector ms) {
      checkOffsetUnset(ms.selector().offset(), at);
      return new Expr.MatrixSelector(ms.selector().withOffset(value), ms.range(), ms.position());
    } else if (inner instanceof Expr.SubqueryExpr sq) {
      checkOffsetUnset(sq.offset(), at);
      return sq.withOffset(value);
    }
    throw error(at,
        "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  private void checkOffsetUnset(DurationExpr existing, int at) {
    if (existing != null) {
      throw error(at, "offset may not be set multiple times");
    }
  }

  private Expr at(PromQLGrammar.AtContext c) {
    Expr inner = expr(c.expression());
    int pos = c.AT().getSymbol().getStartIndex();
    AtModifier value = atValue(c.atValue(), pos);
    AtModifier existing = inner instanceof Expr.VectorSelector vs ? vs.at()
        : inner instanceof Expr.MatrixSelector ms ? ms.selector().at()
        : inner instanceof Expr.SubqueryExpr sq ? sq.at() : null;
    if (existing == null) {
      throw error(pos,
          "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }
    if (existing.isSet()) {
      throw error(pos, "@ <timestamp> may not be set multiple times");
    }
    if (inner instanceof Expr.VectorSelector vs) {
      return vs.withAt(value);
    } else if (inner instanceof Expr.MatrixSelector ms) {
      return new Expr.MatrixSelector(ms.selector().withAt(value), ms.range(), ms.position());
    }
    return ((Expr.SubqueryExpr) inner).withAt(value);
  }

  private AtModifier atValue(AtValueContext v, int pos) {
    if (v.IDENTIFIER() != null) {
      String name = v.IDENTIFIER().getText().toLowerCase(Locale.ROOT);
      if (name.equals("start")) {
        return AtModifier.START;
      }
      if (name.equals("end")) {
        return AtModifier.END;
      }
      Token t = v.IDENTIFIER().getSymbol();
      throw error(t.getStartIndex(), "unexpected " + SyntaxErrors.tokenName(t) + " in @, expected timestamp");
    }
    Token t = v.NUMBER() != null ? v.NUMBER().getSymbol() : v.DURATION().getSymbol();
    double seconds = t.getType() == PromQLLexer.NUMBER ? number(t) : durationMillis(t) / 1000.0;
    if (v.sign != null && v.sign.getType() == PromQLLexer.SUB) {
      seconds = -seconds;
    }
    if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) >= Long.MAX_VALUE / 1000.0) {
      throw error(pos, "timestamp out of bounds for @ modifier: " + GoFloats.formatFloat(seconds, 'f', 6));
    }
    return AtModifier.at(Math.round(seconds * 1000));
  }

  private Expr unary(PromQLGrammar.UnaryContext c) {
    Expr inner = expr(c.expression());
    int start = c.op.getStartIndex();
    if (inner.type() != ValueType.SCALAR && inner.type() != ValueType.VECTOR) {
      throw error(start, "unary expression only allowed on expressions of type scalar or instant vector, got \""
          + inner.type().displayName() + "\"");
    }
    boolean minus = c.op.getType() == PromQLLexer.SUB;
    PositionRange pos = range(c);
    if (inner instanceof Expr.NumberLiteral n) {
      return new Expr.NumberLiteral(minus ? -n.value() : n.value(), n.writtenAsDuration(), pos);
    }
    return new Expr.UnaryExpr(minus ? BinaryOp.SUB : BinaryOp.ADD, inner, pos);
  }

  private Expr binary(PromQLGrammar.BinaryContext c) {
    Expr lhs = expr(c.expression(0));
    Expr rhs = expr(c.expression(1));
    BinaryOp op = binaryOp(c.op);
    int opPos = c.op.getStartIndex();
    BinModifierContext mod = c.binModifier();
    boolean returnBool = mod.BOOL() != null;
    if (returnBool && !op.isComparison()) {
      throw error(opPos, "bool modifier can only be used on comparison operators");
    }
    boolean on = mod.ON() != null;
    boolean matchingGiven = on || mod.IGNORING() != null;
    List<String> matching = matchingGiven ? labels(mod.labelList(0)) : List.of();
    Cardinality card = op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE;
    List<String> include = List.of();
    if (mod.GROUP_LEFT() != null || mod.GROUP_RIGHT() != null) {
      card = mod.GROUP_LEFT() != null ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
      include = mod.labelList().size() > 1 ? labels(mod.labelList(1)) : List.of();
    }
    Double fillLeft = null;
    Double fillRight = null;
    for (FillModifierContext f : mod.fillModifier()) {
      double v = number(f.NUMBER().getSymbol());
      if (f.SUB() != null) {
        v = -v;
      }
      if (f.FILL_RIGHT() == null) {
        fillLeft = v;
      }
      if (f.FILL_LEFT() == null) {
        fillRight = v;
      }
    }
    ValueType lt = lhs.type();
    ValueType rt = rhs.type();
    int lhsPos = lhs.position().start();
    if ((lt != ValueType.SCALAR && lt != ValueType.VECTOR) || (rt != ValueType.SCALAR && rt != ValueType.VECTOR)) {
      throw error(lhsPos, "binary expression must contain only scalar and instant vector types");
    }
    if (op.isComparison() && !returnBool && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw error(lhsPos, "comparisons between scalars must use BOOL modifier");
    }
    if (op.isSetOperator() && (lt == ValueType.SCALAR || rt == ValueType.SCALAR)) {
      throw error(lhsPos, "set operator \"" + op.symbol() + "\" not allowed in binary scalar expression");
    }
    boolean grouped = card == Cardinality.MANY_TO_ONE || card == Cardinality.ONE_TO_MANY;
    if ((matchingGiven || grouped) && (lt != ValueType.VECTOR || rt != ValueType.VECTOR)) {
      throw error(lhsPos, "vector matching only allowed between instant vectors");
    }
    if (op.isSetOperator() && grouped) {
      throw error(lhsPos, "no grouping allowed for \"" + op.symbol() + "\" operation");
    }
    if (grouped && on) {
      for (String l : include) {
        if (matching.contains(l)) {
          throw error(lhsPos, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
        }
      }
    }
    VectorMatching vm = new VectorMatching(card, on, matching, include, fillLeft, fillRight);
    return new Expr.BinaryExpr(op, lhs, rhs, returnBool, vm, range(c));
  }

  private static BinaryOp binaryOp(Token op) {
    return switch (op.getType()) {
      case PromQLLexer.ADD -> BinaryOp.ADD;
      case PromQLLexer.SUB -> BinaryOp.SUB;
      case PromQLLexer.MUL -> BinaryOp.MUL;
      case PromQLLexer.DIV -> BinaryOp.DIV;
      case PromQLLexer.MOD -> BinaryOp.MOD;
      case PromQLLexer.POW -> BinaryOp.POW;
      case PromQLLexer.ATAN2 -> BinaryOp.ATAN2;
      case PromQLLexer.EQLC -> BinaryOp.EQL;
      case PromQLLexer.NEQ -> BinaryOp.NEQ;
      case PromQLLexer.GTR -> BinaryOp.GTR;
      case PromQLLexer.LSS -> BinaryOp.LSS;
      case PromQLLexer.GTE -> BinaryOp.GTE;
      case PromQLLexer.LTE -> BinaryOp.LTE;
      case PromQLLexer.TRIM_UPPER -> BinaryOp.TRIM_UPPER;
      case PromQLLexer.TRIM_LOWER -> BinaryOp.TRIM_LOWER;
      case PromQLLexer.AND -> BinaryOp.AND;
      case PromQLLexer.OR -> BinaryOp.OR;
      case PromQLLexer.UNLESS -> BinaryOp.UNLESS;
      default -> throw new IllegalStateException("not a binary operator: " + op.getText());
    };
  }

  // ---- calls and aggregations ---------------------------------------------------------------

  private Expr callOrAggregate(PromQLGrammar.CallContext c) {
    Token nameToken = c.IDENTIFIER().getSymbol();
    String name = nameToken.getText();
    int start = nameToken.getStartIndex();
    AggregateOp agg = AggregateOp.byName(name);
    if (agg == null && (c.pre != null || c.post != null)) {
      GroupingContext g = c.pre != null ? c.pre : c.post;
      throw error(g.getStart().getStartIndex(), SyntaxErrors.describe(g.getStart()));
    }
    if (c.pre != null && c.post != null) {
      throw error(c.post.getStart().getStartIndex(), SyntaxErrors.describe(c.post.getStart()));
    }
    PromQLGrammar.FunctionArgsContext argsCtx = c.functionArgs();
    if (argsCtx != null && argsCtx.trailingComma != null) {
      throw error(argsCtx.trailingComma.getStartIndex(), "trailing commas not allowed in function call args");
    }
    List<ExpressionContext> argCtxs = argsCtx == null ? List.of() : argsCtx.expression();
    if (agg != null) {
      return aggregate(agg, c, argCtxs, start);
    }
    FunctionSignatures.Signature sig = FunctionSignatures.byName(name);
    if (sig == null) {
      throw error(start, "unknown function with name \"" + name + "\"");
    }
    List<Expr> args = new ArrayList<>();
    for (int i = 0; i < argCtxs.size(); i++) {
      ExpressionContext a = argCtxs.get(i);
      boolean infoLabels = name.equals("info") && i == 1 && a instanceof PromQLGrammar.SelectorContext;
      args.add(infoLabels ? selector((PromQLGrammar.SelectorContext) a, true) : expr(a));
    }
    checkCall(sig, args, start);
    return new Expr.Call(name, args, sig.returnType(), range(c));
  }

  private void checkCall(FunctionSignatures.Signature sig, List<Expr> args, int start) {
    int declared = sig.argTypes().size();
    String name = sig.name();
    if (sig.variadic() == 0) {
      if (args.size() != declared) {
        throw error(start, "expected " + declared + " argument(s) in call to \"" + name + "\", got " + args.size());
      }
    } else if (sig.variadic() > 0) {
      int min = declared - sig.variadic();
      if (args.size() < min) {
        throw error(start, "expected at least " + min + " argument(s) in call to \"" + name + "\", got "
            + args.size());
      }
      if (args.size() > declared) {
        throw error(start, "expected at most " + declared + " argument(s) in call to \"" + name + "\", got "
            + args.size());
      }
    } else if (args.size() < declared - 1) {
      throw error(start, "expected at least " + (declared - 1) + " argument(s) in call to \"" + name + "\", got "
          + args.size());
    }
    for (int i = 0; i < args.size(); i++) {
      ValueType want = sig.argTypes().get(Math.min(i, declared - 1));
      ValueType got = args.get(i).type();
      if (got != want) {
        throw error(args.get(i).position().start(), "expected type " + want.displayName()
            + " in call to function \"" + name + "\", got " + got.displayName());
      }
    }
  }

  private Expr aggregate(AggregateOp op, PromQLGrammar.CallContext c, List<ExpressionContext> argCtxs, int start) {
    GroupingContext g = c.pre != null ? c.pre : c.post;
    List<String> grouping = g == null ? List.of() : labels(g.labelList());
    boolean without = g != null && g.WITHOUT() != null;
    int want = op.hasParameter() ? 2 : 1;
    if (argCtxs.size() != want) {
      throw error(start, "wrong number of arguments for aggregate expression provided, expected " + want
          + ", got " + argCtxs.size());
    }
    Expr param = op.hasParameter() ? expr(argCtxs.get(0)) : null;
    Expr e = expr(argCtxs.get(argCtxs.size() - 1));
    if (e.type() != ValueType.VECTOR) {
      throw error(e.position().start(), "expected type instant vector in aggregation expression, got "
          + e.type().displayName());
    }
    if (param != null && param.type() != op.parameterType()) {
      throw error(param.position().start(), "expected type " + op.parameterType().displayName()
          + " in aggregation parameter, got " + param.type().displayName());
    }
    return new Expr.AggregateExpr(op, e, param, grouping, without, range(c));
  }

  private List<String> labels(LabelListContext ctx) {
    List<String> out = new ArrayList<>();
    for (LabelNameContext l : ctx.labelName()) {
      Token t = l.getStart();
      if (t.getType() == PromQLLexer.METRIC_IDENTIFIER) {
        throw error(t.getStartIndex(), "unexpected " + SyntaxErrors.tokenName(t) + " in grouping opts, expected label");
      }
      out.add(t.getType() == PromQLLexer.STRING ? unquote(t) : t.getText());
    }
    return out;
  }

  // ---- selectors ----------------------------------------------------------------------------

  private Expr.VectorSelector selector(PromQLGrammar.SelectorContext c, boolean allowEmpty) {
    String name = c.metricName() == null ? null : c.metricName().getText();
    List<LabelMatcher> matchers = new ArrayList<>();
    if (name != null) {
      matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
    }
    String quotedName = null;
    List<LabelMatcherContext> matcherCtxs = c.labelMatchers() == null ? List.of() : c.labelMatchers().labelMatcher();
    for (LabelMatcherContext m : matcherCtxs) {
      int labelPos = m.getStart().getStartIndex();
      if (m instanceof PromQLGrammar.QuotedMetricNameContext q) {
        String n = unquote(q.STRING().getSymbol());
        if (name != null || quotedName != null) {
          throw error(labelPos, "metric name must not be set twice: \"" + (name != null ? name : quotedName)
              + "\" or \"" + n + "\"");
        }
        quotedName = n;
        matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, n));
        continue;
      }
      PromQLGrammar.MatcherContext mc = (PromQLGrammar.MatcherContext) m;
      String label = mc.name.getType() == PromQLLexer.STRING ? unquote(mc.name) : mc.name.getText();
      String value = unquote(mc.value);
      if (name != null && label.equals(Labels.METRIC_NAME)) {
        throw error(labelPos, "metric name must not be set twice: \"" + name + "\" or \"" + value + "\"");
      }
      LabelMatcher.Type type = switch (mc.op.getType()) {
        case PromQLLexer.EQL -> LabelMatcher.Type.EQUAL;
        case PromQLLexer.NEQ -> LabelMatcher.Type.NOT_EQUAL;
        case PromQLLexer.EQL_REGEX -> LabelMatcher.Type.REGEX;
        default -> LabelMatcher.Type.NOT_REGEX;
      };
      try {
        matchers.add(LabelMatcher.of(type, label, value));
      } catch (IllegalArgumentException e) {
        throw error(labelPos, e.getMessage());
      }
    }
    if (!allowEmpty && matchers.stream().allMatch(LabelMatcher::matchesEmpty)) {
      throw error(c.getStart().getStartIndex(), "vector selector must contain at least one non-empty matcher");
    }
    return new Expr.VectorSelector(
        name != null ? name : quotedName, matchers, null, AtModifier.NONE, false, false, range(c));
  }

  // ---- durations ----------------------------------------------------------------------------

  private DurationExpr duration(DurationExprContext ctx) {
    if (ctx instanceof PromQLGrammar.DurationPrimaryContext p) {
      return durationAtom(p.durationAtom());
    } else if (ctx instanceof PromQLGrammar.DurationUnaryContext u) {
      DurationExpr inner = duration(u.durationExpr());
      return u.op.getType() == PromQLLexer.SUB ? negate(inner) : inner;
    }
    PromQLGrammar.DurationBinaryContext b = (PromQLGrammar.DurationBinaryContext) ctx;
    return new DurationExpr.Binary(binaryOp(b.op), duration(b.durationExpr(0)), duration(b.durationExpr(1)));
  }

  private DurationExpr durationAtom(DurationAtomContext a) {
    if (a.NUMBER() != null && a.IDENTIFIER() == null) {
      return new DurationExpr.Literal(number(a.NUMBER().getSymbol()), false);
    }
    if (a.DURATION() != null && a.IDENTIFIER() == null) {
      return DurationExpr.Literal.ofMillis(durationMillis(a.DURATION().getSymbol()));
    }
    if (a.IDENTIFIER() == null) {
      return new DurationExpr.Paren(duration(a.durationExpr(0)));
    }
    Token t = a.IDENTIFIER().getSymbol();
    String name = t.getText().toLowerCase(Locale.ROOT);
    DurationExpr.Function.Name fn = switch (name) {
      case "step" -> DurationExpr.Function.Name.STEP;
      case "range" -> DurationExpr.Function.Name.RANGE;
      case "min_of" -> DurationExpr.Function.Name.MIN_OF;
      case "max_of" -> DurationExpr.Function.Name.MAX_OF;
      case "min" -> DurationExpr.Function.Name.MIN;
      case "max" -> DurationExpr.Function.Name.MAX;
      default -> throw error(t.getStartIndex(), "unexpected " + SyntaxErrors.tokenName(t) + " in duration expression");
    };
    List<DurationExpr> args = new ArrayList<>();
    for (DurationExprContext d : a.durationExpr()) {
      args.add(duration(d));
    }
    if (args.size() != fn.arity()) {
      throw error(t.getStartIndex(), "expected " + fn.arity() + " argument(s) in call to \"" + fn.symbol()
          + "\", got " + args.size());
    }
    return new DurationExpr.Function(fn, args);
  }

  /**
   * A lone literal used as a range, step or offset means a duration however it was written
   * ({@code [300]} is {@code [5m]}), so it is kept in one form.
   */
  private static DurationExpr topLevel(DurationExpr d) {
    return d instanceof DurationExpr.Literal lit ? new DurationExpr.Literal(lit.seconds(), true) : d;
  }

  private static DurationExpr negate(DurationExpr d) {
    if (d instanceof DurationExpr.Literal lit) {
      return new DurationExpr.Literal(-lit.seconds(), lit.writtenAsDuration());
    }
    return new DurationExpr.Negate(d);
  }

  private void checkPositive(DurationExpr d, int at) {
    if (d.isConstant() && Math.round(d.seconds(0, 0) * 1000) <= 0) {
      throw error(at, "duration must be greater than 0");
    }
  }

  // ---- literals -----------------------------------------------------------------------------

  private Expr numberLiteral(Token t, PositionRange pos) {
    if (t.getType() == PromQLLexer.DURATION) {
      return new Expr.NumberLiteral(durationMillis(t) / 1000.0, true, pos);
    }
    return new Expr.NumberLiteral(number(t), false, pos);
  }

  private double number(Token t) {
    try {
      return Literals.number(t.getText());
    } catch (Literals.LiteralException e) {
      throw error(t.getStartIndex(), e.getMessage());
    }
  }

  private long durationMillis(Token t) {
    try {
      return Durations.parseMillis(t.getText());
    } catch (IllegalArgumentException e) {
      throw error(t.getStartIndex(), e.getMessage());
    }
  }

  private String unquote(Token t) {
    try {
      return Literals.unquote(t.getText());
    } catch (Literals.LiteralException e) {
      throw error(t.getStartIndex() + e.offset, e.getMessage());
    }
  }

  // ---- positions ----------------------------------------------------------------------------

  private static PositionRange range(ParserRuleContext c) {
    Token stop = c.getStop() != null ? c.getStop() : c.getStart();
    return new PositionRange(c.getStart().getStartIndex(), stop.getStopIndex() + 1);
  }

  private ParseException error(int at, String message) {
    return SyntaxErrors.error(query, at, message);
  }
}
