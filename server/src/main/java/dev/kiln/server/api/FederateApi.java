package dev.kiln.server.api;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.time.Clock;
import java.util.List;
import java.util.TreeMap;

import java.util.function.Supplier;

/**
 * {@code /federate}: the newest sample (within the lookback delta, not stale) of every series matching
 * the {@code match[]} selectors, in text format 0.0.4 with its own timestamp and the external labels
 * added where absent, as Prometheus serves it to a federating server.
 */
public final class FederateApi {
  private final Queryable storage;
  private final Clock clock;
  private final long lookbackMillis;
  private final Supplier<Labels> externalLabels;

  public FederateApi(Queryable storage, Clock clock, long lookbackMillis, Supplier<Labels> externalLabels) {
    this.storage = storage;
    this.clock = clock;
    this.lookbackMillis = lookbackMillis;
    this.externalLabels = externalLabels;
  }

  public void register(Router router) {
    router.read("/federate", this::federate);
  }

  private Response federate(Request r) throws ApiException {
    List<String> match = r.params("match[]");
    if (match.isEmpty()) {
      throw ApiException.badData("no match[] parameter provided");
    }
    long now = clock.millis();
    TreeMap<Labels, long[]> latestT = new TreeMap<>();
    TreeMap<Labels, Double> latestV = new TreeMap<>();
    try (Querier q = storage.querier(now - lookbackMillis, now)) {
      for (String m : match) {
        List<LabelMatcher> matchers;
        try {
          matchers = PromQLParser.parseSelector(m);
        } catch (ParseException e) {
          throw ApiException.badParam("match[]", e.getMessage());
        }
        SeriesSet set = q.select(true, SelectHints.range(now - lookbackMillis, now), matchers.toArray(new LabelMatcher[0]));
        while (set.next()) {
          SampleIterator it = set.at().iterator(null);
          long t = Long.MIN_VALUE;
          double v = 0;
          boolean histogram = false;
          ValueType vt;
          while ((vt = it.next()) != ValueType.NONE) {
            t = it.atT();
            histogram = vt != ValueType.FLOAT;
            v = histogram ? 0 : it.atV();
          }
          // The text format has no native histograms: as Prometheus, they are left out.
          if (t != Long.MIN_VALUE && !histogram && !StaleNaN.is(v)) {
            latestT.put(set.at().labels(), new long[] {t});
            latestV.put(set.at().labels(), v);
          }
        }
      }
    }
    Labels ext = externalLabels.get();
    StringBuilder sb = new StringBuilder();
    String family = null;
    for (var e : latestT.entrySet()) {
      Labels.Builder b = e.getKey().toBuilder();
      ext.forEach((k, v) -> {
        if (b.get(k) == null) {
          b.set(k, v);
        }
      });
      Labels l = b.build();
      String name = l.metricName();
      if (!name.equals(family)) {
        sb.append("# TYPE ").append(name).append(" untyped\n");
        family = name;
      }
      sb.append(name).append('{');
      boolean first = true;
      for (int i = 0; i < l.size(); i++) {
        if (l.name(i).equals(Labels.METRIC_NAME)) {
          continue;
        }
        sb.append(first ? "" : ",").append(l.name(i)).append("=\"")
            .append(l.value(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        first = false;
      }
      sb.append("} ").append(GoFloats.format(latestV.get(e.getKey()), Notation.G)).append(' ').append(e.getValue()[0]).append('\n');
    }
    return Response.text(200, sb.toString()).withHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  }

}
