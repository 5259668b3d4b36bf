package dev.kiln.server.api;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** {@code /api/v1/series}, {@code /api/v1/labels} and {@code /api/v1/label/<name>/values}. */
public final class SeriesApi {
  private final Queryable storage;

  public SeriesApi(Queryable storage) {
    this.storage = storage;
  }

  public void register(Router router) {
    router.read("/api/v1/series", this::series);
    router.read("/api/v1/labels", this::labels);
    router.read("/api/v1/label/*", this::labelValues);
  }

  private static List<List<LabelMatcher>> selectors(Request r) throws ApiException {
    List<List<LabelMatcher>> out = new ArrayList<>();
    for (String m : r.params("match[]")) {
      try {
        out.add(PromQLParser.parseSelector(m));
      } catch (ParseException e) {
        throw ApiException.badParam("match[]", e.getMessage());
      }
    }
    return out;
  }

  private Response series(Request r) throws ApiException {
    List<List<LabelMatcher>> sels = selectors(r);
    if (sels.isEmpty()) {
      throw ApiException.badData("no match[] parameter provided");
    }
    long start = ApiParams.time(r, "start", ApiParams.MIN_TIME);
    long end = ApiParams.time(r, "end", ApiParams.MAX_TIME);
    int limit = ApiParams.limit(r);
    TreeSet<Labels> found = new TreeSet<>();
    try (Querier q = storage.querier(start, end)) {
      for (List<LabelMatcher> sel : sels) {
        SeriesSet set = q.select(false, SelectHints.range(start, end), sel.toArray(new LabelMatcher[0]));
        while (set.next()) {
          found.add(set.at().labels());
        }
      }
    }
    List<String> warnings = new ArrayList<>();
    List<Labels> result = new ArrayList<>(found);
    if (limit > 0 && result.size() > limit) {
      result = result.subList(0, limit);
      warnings.add("results truncated due to limit");
    }
    List<Labels> fin = result;
    return ApiResponses.success(out -> {
      out.beginArray();
      for (Labels l : fin) {
        ResultWriter.labels(out, l);
      }
      out.endArray();
    }, warnings, List.of());
  }

  private Response labels(Request r) throws ApiException {
    List<List<LabelMatcher>> sels = selectors(r);
    long start = ApiParams.time(r, "start", ApiParams.MIN_TIME);
    long end = ApiParams.time(r, "end", ApiParams.MAX_TIME);
    TreeSet<String> names = new TreeSet<>(Utf8Order.COMPARATOR);
    try (Querier q = storage.querier(start, end)) {
      if (sels.isEmpty()) {
        names.addAll(q.labelNames());
      } else {
        for (List<LabelMatcher> sel : sels) {
          names.addAll(q.labelNames(sel.toArray(new LabelMatcher[0])));
        }
      }
    }
    return strings(names, ApiParams.limit(r));
  }

  private Response labelValues(Request r) throws ApiException {
    String rest = r.path().substring("/api/v1/label/".length());
    if (!rest.endsWith("/values") || rest.length() <= "/values".length()) {
      return Response.text(404, "404 page not found\n");
    }
    String name = ApiParams.labelName(rest.substring(0, rest.length() - "/values".length()));
    List<List<LabelMatcher>> sels = selectors(r);
    long start = ApiParams.time(r, "start", ApiParams.MIN_TIME);
    long end = ApiParams.time(r, "end", ApiParams.MAX_TIME);
    TreeSet<String> values = new TreeSet<>(Utf8Order.COMPARATOR);
    try (Querier q = storage.querier(start, end)) {
      if (sels.isEmpty()) {
        values.addAll(q.labelValues(name));
      } else {
        for (List<LabelMatcher> sel : sels) {
          values.addAll(q.labelValues(name, sel.toArray(new LabelMatcher[0])));
        }
      }
    }
    return strings(values, ApiParams.limit(r));
  }

  private static Response strings(TreeSet<String> set, int limit) {
    List<String> list = new ArrayList<>(set);
    List<String> warnings = new ArrayList<>();
    if (limit > 0 && list.size() > limit) {
      list = list.subList(0, limit);
      warnings.add("results truncated due to limit");
    }
    List<String> fin = list;
    return ApiResponses.success(out -> {
      out.beginArray();
      for (String s : fin) {
        out.value(s);
      }
      out.endArray();
    }, warnings, List.of());
  }
}
