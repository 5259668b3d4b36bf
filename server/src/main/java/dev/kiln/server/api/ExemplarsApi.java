package dev.kiln.server.api;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.ExemplarQuerier;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /api/v1/query_exemplars}, as Prometheus's {@code queryExemplars}: {@code start} and
 * {@code end} (default: all time), the series chosen by every vector selector in {@code query}
 * (a series matching any of them), answered as a list of {@code seriesLabels} and their
 * {@code exemplars} ({@code labels}, {@code value} as a string, {@code timestamp} in seconds). A
 * query without selectors answers 204 without a body, as Prometheus does for a result without data.
 */
public final class ExemplarsApi {
  private final Supplier<ExemplarQuerier> exemplars;

  public ExemplarsApi(Supplier<ExemplarQuerier> exemplars) {
    this.exemplars = exemplars;
  }

  public void register(Router router) {
    router.read("/api/v1/query_exemplars", this::query);
  }

  private Response query(Request r) throws ApiException {
    long start = ApiParams.time(r, "start", ApiParams.MIN_TIME);
    long end = ApiParams.time(r, "end", ApiParams.MAX_TIME);
    if (end < start) {
      throw ApiException.badData("end timestamp must not be before start timestamp");
    }
    String q = r.param("query");
    Expr expr;
    try {
      expr = PromQLParser.parse(q == null ? "" : q);
    } catch (ParseException e) {
      throw ApiException.badData(e.getMessage());
    }
    List<List<LabelMatcher>> selectors = new ArrayList<>();
    collectSelectors(expr, selectors);
    if (selectors.isEmpty()) {
      return Response.empty(204); // Prometheus answers a handler result without data so
    }
    List<SeriesExemplars> found = exemplars.get().select(start, end, selectors);
    return ApiResponses.success(out -> write(out, found));
  }

  /** Prometheus's {@code parser.ExtractSelectors}: the matchers of every vector selector, in tree order. */
  static void collectSelectors(Object node, List<List<LabelMatcher>> out) {
    if (node instanceof Expr.VectorSelector vs) {
      out.add(vs.matchers());
      return;
    }
    if (node instanceof List<?> list) {
      for (Object o : list) {
        collectSelectors(o, out);
      }
      return;
    }
    if (!(node instanceof Expr) || !node.getClass().isRecord()) {
      return;
    }
    for (RecordComponent c : node.getClass().getRecordComponents()) {
      if (Expr.class.isAssignableFrom(c.getType()) || List.class.isAssignableFrom(c.getType())) {
        try {
          collectSelectors(c.getAccessor().invoke(node), out);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + c.getName() + " of " + node.getClass(), e);
        }
      }
    }
  }

  static void write(JsonOut out, List<SeriesExemplars> found) {
    out.beginArray();
    for (SeriesExemplars s : found) {
      out.beginObject().name("seriesLabels");
      ResultWriter.labels(out, s.seriesLabels());
      out.name("exemplars").beginArray();
      for (Exemplar e : s.exemplars()) {
        out.beginObject().name("labels");
        ResultWriter.labels(out, e.labels());
        out.name("value").value(GoFloats.format(e.value(), GoFloats.Notation.API_VALUE));
        out.name("timestamp").timestamp(e.timestampMillis());
        out.endObject();
      }
      out.endArray().endObject();
    }
    out.endArray();
  }
}
