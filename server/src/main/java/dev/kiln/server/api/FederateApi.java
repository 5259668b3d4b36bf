package dev.kiln.server.api;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.exposition.ExpositionFormat;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.histogram.FloatHistogram;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code /federate}: the newest sample (within the lookback delta, not stale) of every series
 * matching the {@code match[]} selectors, with its own timestamp and the external labels added
 * where absent ({@code instance=""} among them when no external label sets it), as Prometheus
 * serves it to a federating server. The format follows the {@code Accept} header
 * ({@link ExpositionFormat}): text 0.0.4, where native histograms are left out, or delimited
 * protobuf, where they are federated as histogram or gauge-histogram families (see
 * {@link FederationWriter}).
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

  /** The newest sample of one series: a float, or a histogram when {@code histogram} is set. */
  record Latest(Labels labels, long t, double value, FloatHistogram histogram) {}

  private Response federate(Request r) throws ApiException {
    List<String> match = r.params("match[]");
    if (match.isEmpty()) {
      throw ApiException.badData("no match[] parameter provided");
    }
    List<List<LabelMatcher>> selectors = new ArrayList<>();
    for (String m : match) {
      try {
        selectors.add(PromQLParser.parseSelector(m));
      } catch (ParseException e) {
        throw ApiException.badParam("match[]", e.getMessage());
      }
    }
    ExpositionFormat format = ExpositionFormat.negotiate(r.header("accept"));
    long now = clock.millis();
    Map<Labels, Latest> latest = new TreeMap<>();
    try (Querier q = storage.querier(now - lookbackMillis, now)) {
      for (List<LabelMatcher> matchers : selectors) {
        SeriesSet set = q.select(true, SelectHints.range(now - lookbackMillis, now), matchers.toArray(new LabelMatcher[0]));
        SampleIterator it = null;
        while (set.next()) {
          if (latest.containsKey(set.at().labels())) {
            continue;
          }
          it = set.at().iterator(it);
          Latest l = newest(set.at().labels(), it, now);
          if (l != null) {
            latest.put(l.labels(), l);
          }
        }
      }
    }
    List<Latest> samples = new ArrayList<>(latest.values());
    // As Prometheus: ordered by metric name only; within a name, label order (the sort is stable).
    samples.sort(Comparator.comparing(s -> s.labels().metricName()));
    TreeMap<String, String> ext = federationLabels(externalLabels.get());
    byte[] body = format == ExpositionFormat.PROTOBUF
        ? FederationWriter.protobuf(samples, ext)
        : FederationWriter.text(samples, ext);
    return new Response(200, format.contentType(), body, new java.util.LinkedHashMap<>());
  }

  /** The series' newest sample at or before {@code now}, or null when it has none or it is stale. */
  private static Latest newest(Labels labels, SampleIterator it, long now) {
    long t = Long.MIN_VALUE;
    double v = 0;
    FloatHistogram h = null;
    FloatHistogram reuse = null;
    ValueType vt;
    while ((vt = it.next()) != ValueType.NONE && it.atT() <= now) {
      t = it.atT();
      if (vt == ValueType.FLOAT) {
        v = it.atV();
        if (h != null) {
          reuse = h;
          h = null;
        }
      } else {
        h = it.atFloatHistogram(reuse);
        reuse = null;
      }
    }
    if (t == Long.MIN_VALUE) {
      return null;
    }
    if (h != null) {
      return StaleNaN.is(h.sum) ? null : new Latest(labels, t, 0, h);
    }
    return StaleNaN.is(v) ? null : new Latest(labels, t, v, null);
  }

  /**
   * The external labels as federation attaches them: sorted by name, with {@code instance=""}
   * when they lack {@code instance}, as Prometheus sends them.
   */
  private static TreeMap<String, String> federationLabels(Labels external) {
    TreeMap<String, String> out = new TreeMap<>(external.toMap());
    out.putIfAbsent("instance", "");
    return out;
  }
}
