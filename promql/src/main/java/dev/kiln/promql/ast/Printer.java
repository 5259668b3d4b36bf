package dev.kiln.promql.ast;

import dev.kiln.tsdb.model.Durations;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.GoStrings;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints expressions the way Prometheus does: {@link #print} gives the canonical one-line form
 * (Prometheus's {@code String()}: sorted matchers, durations normalised, {@code by} before the
 * arguments), and {@link #pretty} the indented form of {@code /api/v1/format_query}, which splits
 * any node whose one-line form is longer than 100 characters.
 */
public final class Printer {
  private static final int MAX_LINE = 100;
  private static final String INDENT = "  ";

  private Printer() {}

  /** The canonical one-line form. */
  public static String print(Expr e) {
    StringBuilder sb = new StringBuilder();
    write(sb, e);
    return sb.toString();
  }

  /** The canonical multi-line form, as Prometheus's {@code Pretty(0)}. */
  public static String pretty(Expr e) {
    return pretty(e, MAX_LINE);
  }

  /** The multi-line form, splitting nodes longer than {@code maxLineLength}. */
  static String pretty(Expr e, int maxLineLength) {
    return pretty(e, 0, maxLineLength);
  }

  // ---- one-line form ------------------------------------------------------------------------

  private static void write(StringBuilder sb, Expr e) {
    if (e instanceof Expr.NumberLiteral n) {
      sb.append(number(n));
    } else if (e instanceof Expr.StringLiteral s) {
      sb.append(GoStrings.quote(s.value()));
    } else if (e instanceof Expr.VectorSelector v) {
      writeSelector(sb, v, true);
    } else if (e instanceof Expr.MatrixSelector m) {
      writeSelector(sb, m.selector(), false);
      sb.append('[').append(topLevelDuration(m.range())).append(']');
      if (m.selector().anchored()) {
        sb.append(" anchored");
      } else if (m.selector().smoothed()) {
        sb.append(" smoothed");
      }
      writeAt(sb, m.selector().at());
      writeOffset(sb, m.selector().offset());
    } else if (e instanceof Expr.SubqueryExpr s) {
      write(sb, s.expr());
      sb.append(subquerySuffix(s));
    } else if (e instanceof Expr.Call c) {
      sb.append(c.function()).append('(');
      for (int i = 0; i < c.args().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        write(sb, c.args().get(i));
      }
      sb.append(')');
    } else if (e instanceof Expr.AggregateExpr a) {
      sb.append(aggregateHead(a)).append('(');
      if (a.param() != null) {
        write(sb, a.param());
        sb.append(", ");
      }
      write(sb, a.expr());
      sb.append(')');
    } else if (e instanceof Expr.BinaryExpr b) {
      write(sb, b.lhs());
      sb.append(' ').append(binaryOperator(b)).append(' ');
      write(sb, b.rhs());
    } else if (e instanceof Expr.UnaryExpr u) {
      sb.append(u.op().symbol());
      write(sb, u.expr());
    } else {
      sb.append('(');
      write(sb, ((Expr.ParenExpr) e).expr());
      sb.append(')');
    }
  }

  private static String number(Expr.NumberLiteral n) {
    if (n.writtenAsDuration()) {
      return Durations.format(Math.round(n.value() * 1000));
    }
    return GoFloats.format(n.value(), Notation.PLAIN);
  }

  private static void writeSelector(StringBuilder sb, Expr.VectorSelector v, boolean withModifiers) {
    List<String> matchers = new ArrayList<>();
    boolean quotedName = v.name() != null && !isLegacyMetricName(v.name());
    for (LabelMatcher m : v.matchers()) {
      boolean isName = m.name().equals("__name__") && m.type() == LabelMatcher.Type.EQUAL
          && m.value().equals(v.name()) && !m.value().isEmpty();
      if (!isName) {
        matchers.add(m.toString());
      }
    }
    matchers.sort(null);
    if (quotedName) {
      matchers.add(0, GoStrings.quote(v.name()));
    } else if (v.name() != null) {
      sb.append(v.name());
    }
    if (!matchers.isEmpty()) {
      sb.append('{').append(String.join(",", matchers)).append('}');
    }
    if (!withModifiers) {
      return;
    }
    writeAt(sb, v.at());
    if (v.anchored()) {
      sb.append(" anchored");
    } else if (v.smoothed()) {
      sb.append(" smoothed");
    }
    writeOffset(sb, v.offset());
  }

  private static void writeAt(StringBuilder sb, AtModifier at) {
    switch (at.kind()) {
      case TIME -> sb.append(" @ ").append(String.format(Locale.ROOT, "%.3f", at.timeMillis() / 1000.0));
      case START -> sb.append(" @ start()");
      case END -> sb.append(" @ end()");
      case NONE -> { }
    }
  }

  private static void writeOffset(StringBuilder sb, DurationExpr offset) {
    if (offset == null) {
      return;
    }
    if (offset instanceof DurationExpr.Literal lit) {
      long ms = Math.round(lit.seconds() * 1000);
      if (ms != 0) {
        sb.append(" offset ").append(Durations.format(ms));
      }
      return;
    }
    sb.append(" offset ").append(duration(offset));
  }

  private static String subquerySuffix(Expr.SubqueryExpr s) {
    StringBuilder sb = new StringBuilder();
    sb.append('[').append(topLevelDuration(s.range())).append(':');
    if (s.step() != null) {
      String step = topLevelDuration(s.step());
      if (!step.equals("0s")) {
        sb.append(step);
      }
    }
    sb.append(']');
    writeAt(sb, s.at());
    writeOffset(sb, s.offset());
    return sb.toString();
  }

  /** A range or step: a lone literal prints as a normalised duration, an expression as written. */
  private static String topLevelDuration(DurationExpr d) {
    if (d instanceof DurationExpr.Literal lit) {
      return Durations.format(Math.round(lit.seconds() * 1000));
    }
    return duration(d);
  }

  /** A duration expression as Prometheus prints it. */
  static String duration(DurationExpr d) {
    if (d instanceof DurationExpr.Literal lit) {
      return lit.writtenAsDuration() ? Durations.format(Math.round(lit.seconds() * 1000)) : GoFloats.format(lit.seconds(), Notation.PLAIN);
    } else if (d instanceof DurationExpr.Binary b) {
      return duration(b.lhs()) + " " + b.op().symbol() + " " + duration(b.rhs());
    } else if (d instanceof DurationExpr.Negate n) {
      return "-" + duration(n.expr());
    } else if (d instanceof DurationExpr.Paren p) {
      return "(" + duration(p.expr()) + ")";
    }
    DurationExpr.Function f = (DurationExpr.Function) d;
    StringBuilder sb = new StringBuilder(f.name().symbol()).append('(');
    for (int i = 0; i < f.args().size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(duration(f.args().get(i)));
    }
    return sb.append(')').toString();
  }

  private static String aggregateHead(Expr.AggregateExpr a) {
    StringBuilder sb = new StringBuilder(a.op().symbol());
    if (a.without()) {
      sb.append(" without (").append(labelList(a.grouping())).append(") ");
    } else if (!a.grouping().isEmpty()) {
      sb.append(" by (").append(labelList(a.grouping())).append(") ");
    }
    return sb.toString();
  }

  /** The operator with its modifiers, e.g. {@code * on (job) group_left (name)}. */
  private static String binaryOperator(Expr.BinaryExpr b) {
    StringBuilder sb = new StringBuilder(b.op().symbol());
    if (b.returnBool()) {
      sb.append(" bool");
    }
    VectorMatching vm = b.matching();
    if (vm == null) {
      return sb.toString();
    }
    boolean group = vm.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE
        || vm.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY;
    if (!vm.matchingLabels().isEmpty() || vm.on() || group) {
      sb.append(vm.on() ? " on (" : " ignoring (").append(labelList(vm.matchingLabels())).append(')');
    }
    if (group) {
      sb.append(vm.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
          .append(labelList(vm.include())).append(')');
    }
    if (vm.fillLeft() != null && vm.fillLeft().equals(vm.fillRight())) {
      sb.append(" fill (").append(GoFloats.format(vm.fillLeft(), Notation.V)).append(')');
    } else {
      if (vm.fillLeft() != null) {
        sb.append(" fill_left (").append(GoFloats.format(vm.fillLeft(), Notation.V)).append(')');
      }
      if (vm.fillRight() != null) {
        sb.append(" fill_right (").append(GoFloats.format(vm.fillRight(), Notation.V)).append(')');
      }
    }
    return sb.toString();
  }

  private static String labelList(List<String> labels) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      String l = labels.get(i);
      sb.append(isLegacyLabelName(l) ? l : GoStrings.quote(l));
    }
    return sb.toString();
  }

  // ---- names --------------------------------------------------------------------------------

  private static boolean isLegacyLabelName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLegacyMetricName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (i > 0 && c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  // ---- multi-line form ----------------------------------------------------------------------

  private static String pretty(Expr e, int level, int max) {
    String one = print(e);
    boolean split = one.length() > max;
    String indent = INDENT.repeat(level);
    if (e instanceof Expr.AggregateExpr a) {
      if (!split) {
        return indent + one;
      }
      StringBuilder sb = new StringBuilder(indent).append(aggregateHead(a)).append("(\n");
      if (a.param() != null) {
        sb.append(pretty(a.param(), level + 1, max)).append(",\n");
      }
      return sb.append(pretty(a.expr(), level + 1, max)).append('\n').append(indent).append(')').toString();
    } else if (e instanceof Expr.BinaryExpr b) {
      if (!split) {
        return indent + one;
      }
      return pretty(b.lhs(), level + 1, max) + "\n" + indent + binaryOperator(b) + "\n" + pretty(b.rhs(), level + 1, max);
    } else if (e instanceof Expr.Call c) {
      if (!split) {
        return indent + one;
      }
      List<String> args = new ArrayList<>();
      for (Expr arg : c.args()) {
        args.add(pretty(arg, level + 1, max));
      }
      return indent + c.function() + "(\n" + String.join(",\n", args) + "\n" + indent + ")";
    } else if (e instanceof Expr.ParenExpr p) {
      if (!split) {
        return indent + one;
      }
      return indent + "(\n" + pretty(p.expr(), level + 1, max) + "\n" + indent + ")";
    } else if (e instanceof Expr.SubqueryExpr s) {
      // As Prometheus: an unsplit subquery is not indented.
      return split ? pretty(s.expr(), level, max) + subquerySuffix(s) : one;
    } else if (e instanceof Expr.UnaryExpr u) {
      return indent + u.op().symbol() + pretty(u.expr(), level, max).strip();
    }
    return indent + one;
  }
}
