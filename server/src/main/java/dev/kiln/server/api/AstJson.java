package dev.kiln.server.api;

import dev.kiln.promql.ast.AtModifier;
import dev.kiln.promql.ast.DurationExpr;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.ValueType;
import dev.kiln.promql.ast.VectorMatching;
import dev.kiln.promql.parser.FunctionSignatures;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a PromQL syntax tree as the JSON of {@code /api/v1/parse_query}, the shape the
 * Prometheus web UI's tree view reads: one object per node with a {@code type} and the node's
 * fields, keys in alphabetical order, durations in milliseconds.
 */
final class AstJson {
  private AstJson() {}

  static void write(JsonOut out, Expr e) {
    if (e == null) {
      out.nullValue();
    } else if (e instanceof Expr.AggregateExpr a) {
      out.beginObject()
          .name("expr");
      write(out, a.expr());
      out.name("grouping");
      strings(out, a.grouping());
      out.name("op").value(a.op().symbol()).name("param");
      write(out, a.param());
      out.name("type").value("aggregation").name("without").value(a.without()).endObject();
    } else if (e instanceof Expr.BinaryExpr b) {
      out.beginObject().name("bool").value(b.returnBool()).name("lhs");
      write(out, b.lhs());
      out.name("matching");
      boolean vectors = b.lhs().type() == ValueType.VECTOR && b.rhs().type() == ValueType.VECTOR;
      if (vectors) {
        matching(out, b.matching());
      } else {
        out.nullValue();
      }
      out.name("op").value(b.op().symbol()).name("rhs");
      write(out, b.rhs());
      out.name("type").value("binaryExpr").endObject();
    } else if (e instanceof Expr.Call c) {
      out.beginObject().name("args").beginArray();
      for (Expr arg : c.args()) {
        write(out, arg);
      }
      out.endArray().name("func");
      function(out, c.function());
      out.name("type").value("call").endObject();
    } else if (e instanceof Expr.MatrixSelector m) {
      Expr.VectorSelector vs = m.selector();
      out.beginObject().name("anchored").value(vs.anchored()).name("matchers");
      matchers(out, vs);
      out.name("name").value(vs.name() == null ? "" : vs.name())
          .name("offset").value(millis(vs.offset()))
          .name("range").value(millis(m.range()))
          .name("smoothed").value(vs.smoothed());
      at(out, vs.at());
      out.name("type").value("matrixSelector").endObject();
    } else if (e instanceof Expr.SubqueryExpr s) {
      out.beginObject().name("alignEvalTime").value(false).name("expr");
      write(out, s.expr());
      out.name("offset").value(millis(s.offset()))
          .name("range").value(millis(s.range()));
      startOrEnd(out, s.at());
      out.name("step").value(millis(s.step()));
      timestamp(out, s.at());
      out.name("type").value("subquery").endObject();
    } else if (e instanceof Expr.NumberLiteral n) {
      out.beginObject().name("type").value("numberLiteral").name("val").value(GoFloats.format(n.value(), Notation.PLAIN)).endObject();
    } else if (e instanceof Expr.ParenExpr p) {
      out.beginObject().name("expr");
      write(out, p.expr());
      out.name("type").value("parenExpr").endObject();
    } else if (e instanceof Expr.StringLiteral s) {
      out.beginObject().name("type").value("stringLiteral").name("val").value(s.value()).endObject();
    } else if (e instanceof Expr.UnaryExpr u) {
      out.beginObject().name("expr");
      write(out, u.expr());
      out.name("op").value(u.op().symbol()).name("type").value("unaryExpr").endObject();
    } else {
      Expr.VectorSelector vs = (Expr.VectorSelector) e;
      out.beginObject().name("anchored").value(vs.anchored()).name("matchers");
      matchers(out, vs);
      out.name("name").value(vs.name() == null ? "" : vs.name())
          .name("offset").value(millis(vs.offset()))
          .name("smoothed").value(vs.smoothed());
      at(out, vs.at());
      out.name("type").value("vectorSelector").endObject();
    }
  }

  /** {@code startOrEnd} then {@code timestamp}, which sort around the keys between them. */
  private static void at(JsonOut out, AtModifier at) {
    startOrEnd(out, at);
    timestamp(out, at);
  }

  private static void startOrEnd(JsonOut out, AtModifier at) {
    out.name("startOrEnd");
    switch (at.kind()) {
      case START -> out.value("start");
      case END -> out.value("end");
      default -> out.nullValue();
    }
  }

  private static void timestamp(JsonOut out, AtModifier at) {
    out.name("timestamp");
    if (at.kind() == AtModifier.Kind.TIME) {
      out.value(at.timeMillis());
    } else {
      out.nullValue();
    }
  }

  private static void matching(JsonOut out, VectorMatching vm) {
    out.beginObject().name("card").value(switch (vm.cardinality()) {
      case ONE_TO_ONE -> "one-to-one";
      case MANY_TO_ONE -> "many-to-one";
      case ONE_TO_MANY -> "one-to-many";
      case MANY_TO_MANY -> "many-to-many";
    });
    out.name("fillValues").beginObject().name("lhs");
    optionalNumber(out, vm.fillLeft());
    out.name("rhs");
    optionalNumber(out, vm.fillRight());
    out.endObject().name("include");
    strings(out, vm.include());
    out.name("labels");
    strings(out, vm.matchingLabels());
    out.name("on").value(vm.on()).endObject();
  }

  private static void optionalNumber(JsonOut out, Double v) {
    if (v == null) {
      out.nullValue();
    } else {
      out.number(v);
    }
  }

  private static void function(JsonOut out, String name) {
    FunctionSignatures.Signature sig = FunctionSignatures.byName(name);
    out.beginObject().name("argTypes").beginArray();
    for (ValueType t : sig.argTypes()) {
      out.value(t.apiName());
    }
    out.endArray().name("name").value(name).name("returnType").value(sig.returnType().apiName())
        .name("variadic").value(sig.variadic()).endObject();
  }

  /** The matchers in Prometheus's order: as written, then the matcher of the metric name. */
  private static void matchers(JsonOut out, Expr.VectorSelector vs) {
    List<LabelMatcher> matchers = new ArrayList<>(vs.matchers());
    if (vs.name() != null) {
      LabelMatcher name = LabelMatcher.equal("__name__", vs.name());
      if (matchers.remove(name)) {
        matchers.add(name);
      }
    }
    out.beginArray();
    for (LabelMatcher m : matchers) {
      out.beginObject().name("name").value(m.name()).name("type").value(m.type().symbol())
          .name("value").value(m.value()).endObject();
    }
    out.endArray();
  }

  private static void strings(JsonOut out, List<String> values) {
    out.beginArray();
    for (String v : values) {
      out.value(v);
    }
    out.endArray();
  }

  /** A duration in milliseconds; expressions that need the query's step or range count as 0. */
  private static long millis(DurationExpr d) {
    return d == null || !d.isConstant() ? 0 : Math.round(d.seconds(0, 0) * 1000);
  }
}
