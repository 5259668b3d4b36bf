package dev.kiln.server.otlp;

import dev.kiln.config.OtlpConfig;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Exemplar;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates an OTLP metrics export into Prometheus series, as Prometheus 3.5's receiver
 * ({@code storage/remote/otlptranslator/prometheusremotewrite}) does:
 *
 * <ul>
 *   <li>gauges and sums become one series per data point; monotonic cumulative sums are counters
 *       named {@code …_total}; delta and unspecified temporalities are left out with Prometheus's
 *       "invalid temporality" message;
 *   <li>explicit-bucket histograms become {@code _bucket} (cumulative, with {@code le}),
 *       {@code _sum} (when set) and {@code _count}, or with {@code convert_histograms_to_nhcb} one
 *       native histogram with custom buckets; exponential histograms become native histograms
 *       ({@link NativeHistograms}); summaries {@code _sum}, {@code _count} and one series per
 *       {@code quantile};
 *   <li>data point attributes become labels (colliding names join their values with {@code ;});
 *       {@code service.namespace}/{@code service.name} become {@code job},
 *       {@code service.instance.id} {@code instance}; promoted resource attributes and scope
 *       metadata are added as configured;
 *   <li>each resource with other attributes gets a {@code target_info} series from its earliest to
 *       its latest data point, one sample every half lookback delta;
 *   <li>the no-recorded-value flag writes the staleness marker; timestamps go from ns to ms.
 * </ul>
 *
 * Exemplars ({@link OtlpExemplars}) of sums go with their series, those of exponential and
 * custom-bucket histograms with the native histogram, those of classic histograms with the first
 * {@code _bucket} series whose bound is at least the exemplar's value; gauges and summaries have
 * none. Immutable and thread-safe.
 */
final class OtlpTranslator {
  static final String SERVICE_NAME = "service.name";
  static final String SERVICE_NAMESPACE = "service.namespace";
  static final String SERVICE_INSTANCE_ID = "service.instance.id";
  private static final Set<String> IDENTIFYING = Set.of(SERVICE_NAMESPACE, SERVICE_NAME, SERVICE_INSTANCE_ID);
  private static final Comparator<String> BY_CODE_POINT = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  private final OtlpConfig config;
  private final long lookbackDeltaMillis;
  private final MetricNamer metricNamer;
  private final LabelNamer labelNamer;
  private final Set<String> promoted;

  /**
   * @param lookbackDeltaMillis the query lookback delta; {@code target_info} gets a sample every half of it
   */
  OtlpTranslator(OtlpConfig config, long lookbackDeltaMillis) {
    this.config = config;
    this.lookbackDeltaMillis = lookbackDeltaMillis > 0 ? lookbackDeltaMillis : 300_000;
    boolean utf8 = !config.translationStrategy().escapes();
    this.metricNamer = new MetricNamer(utf8, config.translationStrategy().addsSuffixes());
    this.labelNamer = new LabelNamer(utf8);
    this.promoted = new HashSet<>(config.promoteAllResourceAttributes() ? config.ignoreResourceAttributes()
        : config.promoteResourceAttributes());
  }

  Translation translate(ExportMetricsServiceRequest request) {
    Translation out = new Translation();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      ResourceLabels resource = resourceLabels(rm.getResource().getAttributesList());
      long[] span = {-1L, 0L};
      boolean any = false;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        Scope scope = new Scope(sm.getScope(), sm.getSchemaUrl());
        for (Metric m : sm.getMetricsList()) {
          any |= widen(span, m);
          translate(out, resource, scope, m);
        }
      }
      if (any) {
        targetInfo(out, resource, span[0], span[1]);
      }
    }
    return out;
  }

  private void translate(Translation out, ResourceLabels resource, Scope scope, Metric m) {
    MetricKind kind;
    AggregationTemporality temporality = null;
    int points;
    switch (m.getDataCase()) {
      case GAUGE -> {
        kind = MetricKind.GAUGE;
        points = m.getGauge().getDataPointsCount();
      }
      case SUM -> {
        kind = m.getSum().getIsMonotonic() ? MetricKind.MONOTONIC_COUNTER : MetricKind.NON_MONOTONIC_COUNTER;
        temporality = m.getSum().getAggregationTemporality();
        points = m.getSum().getDataPointsCount();
      }
      case HISTOGRAM -> {
        kind = MetricKind.HISTOGRAM;
        temporality = m.getHistogram().getAggregationTemporality();
        points = m.getHistogram().getDataPointsCount();
      }
      case EXPONENTIAL_HISTOGRAM -> {
        kind = MetricKind.EXPONENTIAL_HISTOGRAM;
        temporality = m.getExponentialHistogram().getAggregationTemporality();
        points = m.getExponentialHistogram().getDataPointsCount();
      }
      case SUMMARY -> {
        kind = MetricKind.SUMMARY;
        points = m.getSummary().getDataPointsCount();
      }
      default -> {
        out.error("could not get aggregation temporality for " + m.getName() + " as it has unsupported metric type Empty");
        return;
      }
    }
    if (temporality != null && temporality != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
      out.error("invalid temporality and type combination for metric \"" + m.getName() + "\"");
      return;
    }
    String name;
    try {
      name = metricNamer.build(m.getName(), m.getUnit(), kind);
    } catch (InvalidNameException e) {
      out.error(e.getMessage());
      return;
    }
    if (points == 0) {
      out.error("empty data points. " + m.getName() + " is dropped");
      return;
    }
    try {
      switch (kind) {
        case GAUGE -> numbers(out, resource, scope, m.getGauge().getDataPointsList(), name, false);
        case MONOTONIC_COUNTER, NON_MONOTONIC_COUNTER -> numbers(out, resource, scope, m.getSum().getDataPointsList(), name, true);
        case HISTOGRAM -> {
          if (config.convertHistogramsToNhcb()) {
            for (HistogramDataPoint pt : m.getHistogram().getDataPointsList()) {
              nativeHistogram(out, resource, scope, pt.getAttributesList(), name, pt.getTimeUnixNano(), NativeHistograms.customBuckets(pt),
                  pt.getExemplarsList());
            }
          } else {
            histograms(out, resource, scope, m.getHistogram().getDataPointsList(), name);
          }
        }
        case SUMMARY -> summaries(out, resource, scope, m.getSummary().getDataPointsList(), name);
        default -> {
          for (ExponentialHistogramDataPoint pt : m.getExponentialHistogram().getDataPointsList()) {
            nativeHistogram(out, resource, scope, pt.getAttributesList(), name, pt.getTimeUnixNano(), NativeHistograms.exponential(pt),
                pt.getExemplarsList());
          }
        }
      }
    } catch (InvalidHistogramException | InvalidExemplarException e) {
      // As Prometheus: the metric's remaining data points are left out, those before stay.
      out.error(e.getMessage());
    }
  }

  private void nativeHistogram(Translation out, ResourceLabels resource, Scope scope, List<KeyValue> attrs, String name, long nanos,
      Histogram h, List<io.opentelemetry.proto.metrics.v1.Exemplar> exemplars) throws InvalidExemplarException {
    Map<String, String> l = attributes(resource, attrs, scope, Set.of(), true);
    l.put(Labels.METRIC_NAME, name);
    Labels labels = labels(out, l);
    if (labels != null) {
      out.addHistogram(labels, millis(nanos), h);
    }
    List<Exemplar> converted = OtlpExemplars.convert(exemplars);
    if (labels != null && !converted.isEmpty()) {
      out.addHistogramExemplars(labels, converted);
    }
  }

  /** Gauge or sum data points; only sums carry their exemplars over, as in Prometheus. */
  private void numbers(Translation out, ResourceLabels resource, Scope scope, List<NumberDataPoint> points, String name,
      boolean withExemplars) throws InvalidExemplarException {
    for (NumberDataPoint pt : points) {
      Map<String, String> l = attributes(resource, pt.getAttributesList(), scope, Set.of(), true);
      l.put(Labels.METRIC_NAME, name);
      double v = switch (pt.getValueCase()) {
        case AS_INT -> pt.getAsInt();
        case AS_DOUBLE -> pt.getAsDouble();
        default -> 0;
      };
      Labels labels = add(out, l, millis(pt.getTimeUnixNano()), noRecordedValue(pt.getFlags()) ? StaleNaN.VALUE : v);
      if (withExemplars) {
        List<Exemplar> converted = OtlpExemplars.convert(pt.getExemplarsList());
        if (labels != null && !converted.isEmpty()) {
          out.addExemplars(labels, converted);
        }
      }
    }
  }

  /** A {@code _bucket} series of a classic histogram data point and its upper bound. */
  private record Bucket(double bound, Labels labels) {}

  private void histograms(Translation out, ResourceLabels resource, Scope scope, List<HistogramDataPoint> points, String name)
      throws InvalidExemplarException {
    for (HistogramDataPoint pt : points) {
      Map<String, String> base = attributes(resource, pt.getAttributesList(), scope, Set.of(), true);
      long t = millis(pt.getTimeUnixNano());
      boolean stale = noRecordedValue(pt.getFlags());
      if (pt.hasSum()) {
        add(out, series(base, name + "_sum"), t, stale ? StaleNaN.VALUE : pt.getSum());
      }
      add(out, series(base, name + "_count"), t, stale ? StaleNaN.VALUE : unsigned(pt.getCount()));
      long cumulative = 0;
      int n = Math.min(pt.getExplicitBoundsCount(), pt.getBucketCountsCount());
      List<Bucket> buckets = new ArrayList<>(n + 1);
      for (int i = 0; i < n; i++) {
        cumulative += pt.getBucketCounts(i);
        Labels b = add(out, series(base, name + "_bucket", "le", GoFloats.format(pt.getExplicitBounds(i), Notation.PLAIN)), t,
            stale ? StaleNaN.VALUE : unsigned(cumulative));
        buckets.add(new Bucket(pt.getExplicitBounds(i), b));
      }
      Labels inf = add(out, series(base, name + "_bucket", "le", "+Inf"), t, stale ? StaleNaN.VALUE : unsigned(pt.getCount()));
      buckets.add(new Bucket(Double.POSITIVE_INFINITY, inf));
      bucketExemplars(out, buckets, OtlpExemplars.convert(pt.getExemplarsList()));
    }
  }

  /**
   * Prometheus's {@code addExemplars}: each exemplar goes to the first bucket, by bound, whose
   * bound is at least its value (none for NaN). A bucket whose labels were invalid is not written,
   * and neither are its exemplars.
   */
  private static void bucketExemplars(Translation out, List<Bucket> buckets, List<Exemplar> exemplars) {
    if (exemplars.isEmpty()) {
      return;
    }
    buckets.sort(Comparator.comparingDouble(Bucket::bound));
    for (Exemplar e : exemplars) {
      for (Bucket b : buckets) {
        if (e.value() <= b.bound()) {
          if (b.labels() != null) {
            out.addExemplars(b.labels(), List.of(e));
          }
          break;
        }
      }
    }
  }

  private void summaries(Translation out, ResourceLabels resource, Scope scope, List<SummaryDataPoint> points, String name) {
    for (SummaryDataPoint pt : points) {
      Map<String, String> base = attributes(resource, pt.getAttributesList(), scope, Set.of(), true);
      long t = millis(pt.getTimeUnixNano());
      boolean stale = noRecordedValue(pt.getFlags());
      add(out, series(base, name + "_sum"), t, stale ? StaleNaN.VALUE : pt.getSum());
      add(out, series(base, name + "_count"), t, stale ? StaleNaN.VALUE : unsigned(pt.getCount()));
      for (SummaryDataPoint.ValueAtQuantile q : pt.getQuantileValuesList()) {
        add(out, series(base, name, "quantile", GoFloats.format(q.getQuantile(), Notation.PLAIN)), t, stale ? StaleNaN.VALUE : q.getValue());
      }
    }
  }

  /**
   * Prometheus's {@code createLabels}: the base labels plus the metric name and an extra label. A
   * base label of the same name makes a duplicate there, so the label set is invalid (null).
   */
  private static Map<String, String> series(Map<String, String> base, String name, String... extra) {
    if (base == null || base.containsKey(Labels.METRIC_NAME) || (extra.length == 2 && base.containsKey(extra[0]))) {
      return null;
    }
    Map<String, String> l = new LinkedHashMap<>(base);
    if (extra.length == 2) {
      l.put(extra[0], extra[1]);
    }
    l.put(Labels.METRIC_NAME, name);
    return l;
  }

  private void targetInfo(Translation out, ResourceLabels resource, long earliestNanos, long latestNanos) {
    int nonIdentifying = resource.attributes().size();
    for (String a : IDENTIFYING) {
      if (first(resource.attributes(), a) != null) {
        nonIdentifying--;
      }
    }
    if (nonIdentifying == 0) {
      return;
    }
    Set<String> ignore = config.keepIdentifyingResourceAttributes() ? Set.of() : IDENTIFYING;
    Map<String, String> l = attributes(resource, resource.attributes(), Scope.NONE, ignore, false);
    if (!l.containsKey("job") && !l.containsKey("instance")) {
      return;
    }
    l.put(Labels.METRIC_NAME, "target_info");
    long interval = lookbackDeltaMillis / 2 * 1_000_000L;
    long last = Long.MIN_VALUE;
    for (long t = earliestNanos; Long.compareUnsigned(t, latestNanos) < 0; t += interval) {
      last = Math.floorDiv(t, 1_000_000L);
      add(out, l, last, 1);
    }
    long latest = Math.floorDiv(latestNanos, 1_000_000L);
    if (last == Long.MIN_VALUE || last < latest) {
      add(out, l, latest, 1);
    }
  }

  /**
   * Prometheus's {@code createAttributes}: the attributes (minus {@code ignore}) sorted by key and
   * named as labels, colliding names joined with {@code ;}; then promoted resource attributes and
   * scope labels where configured; then {@code job} and {@code instance}.
   */
  private Map<String, String> attributes(ResourceLabels resource, List<KeyValue> attrs, Scope scope, Set<String> ignore,
      boolean promote) {
    List<KeyValue> sorted = new ArrayList<>(attrs.size());
    for (KeyValue kv : attrs) {
      if (!ignore.contains(kv.getKey())) {
        sorted.add(kv);
      }
    }
    sorted.sort(Comparator.comparing(KeyValue::getKey, BY_CODE_POINT));
    Map<String, String> l = new LinkedHashMap<>();
    for (KeyValue kv : sorted) {
      String value = AttributeValues.asString(kv.getValue());
      l.merge(labelNamer.build(kv.getKey()), value, (old, v) -> old + ";" + v);
    }
    if (promote) {
      for (String[] p : resource.promoted()) {
        l.putIfAbsent(p[0], p[1]);
      }
    }
    if (config.promoteScopeMetadata() && !scope.name().isEmpty()) {
      for (KeyValue kv : scope.attributes()) {
        l.put(labelNamer.build("otel_scope_" + kv.getKey()), AttributeValues.asString(kv.getValue()));
      }
      l.put("otel_scope_name", scope.name());
      l.put("otel_scope_version", scope.version());
      l.put("otel_scope_schema_url", scope.schemaUrl());
    }
    if (resource.job() != null) {
      l.put("job", resource.job());
    }
    if (resource.instance() != null) {
      l.put("instance", resource.instance());
    }
    return l;
  }

  /** What every series of a resource shares: {@code job}, {@code instance} and the promoted attributes. */
  private ResourceLabels resourceLabels(List<KeyValue> resource) {
    KeyValue serviceName = first(resource, SERVICE_NAME);
    String job = null;
    if (serviceName != null) {
      job = AttributeValues.asString(serviceName.getValue());
      KeyValue ns = first(resource, SERVICE_NAMESPACE);
      job = ns == null ? job : AttributeValues.asString(ns.getValue()) + "/" + job;
    }
    KeyValue instance = first(resource, SERVICE_INSTANCE_ID);
    List<String[]> promotedLabels = new ArrayList<>();
    if (config.promoteAllResourceAttributes() || !promoted.isEmpty()) {
      List<KeyValue> promotedAttrs = new ArrayList<>();
      for (KeyValue kv : resource) {
        if (promoted.contains(kv.getKey()) != config.promoteAllResourceAttributes()) {
          promotedAttrs.add(kv);
        }
      }
      promotedAttrs.sort(Comparator.comparing(KeyValue::getKey, BY_CODE_POINT));
      for (KeyValue kv : promotedAttrs) {
        promotedLabels.add(new String[] {labelNamer.build(kv.getKey()), AttributeValues.asString(kv.getValue())});
      }
    }
    return new ResourceLabels(resource, job, instance == null ? null : AttributeValues.asString(instance.getValue()), promotedLabels);
  }

  /**
   * A resource's attributes and the labels derived from them once per resource.
   *
   * @param promoted label name and value of each promoted attribute, in key order
   */
  private record ResourceLabels(List<KeyValue> attributes, String job, String instance, List<String[]> promoted) {}

  /**
   * Adds a sample, or counts it as invalid when its labels are not a valid label set.
   *
   * @return the series' labels, or null when they were invalid
   */
  private static Labels add(Translation out, Map<String, String> l, long t, double v) {
    if (l == null) {
      out.invalidSeries("invalid labels: duplicate label name in a histogram or summary series");
      return null;
    }
    Labels labels = labels(out, l);
    if (labels != null) {
      out.add(labels, t, v);
    }
    return labels;
  }

  /** The label set, or null (counted as invalid) when a name is empty or the metric name is missing. */
  private static Labels labels(Translation out, Map<String, String> l) {
    Labels.Builder b = Labels.builder();
    for (Map.Entry<String, String> e : l.entrySet()) {
      if (e.getKey().isEmpty()) {
        out.invalidSeries("invalid labels: empty label name in " + l);
        return null;
      }
      b.set(e.getKey(), e.getValue());
    }
    Labels labels = b.build();
    if (!labels.has(Labels.METRIC_NAME)) {
      out.invalidSeries("invalid labels: empty metric name in " + l);
      return null;
    }
    return labels;
  }

  /** Widens {@code span} (unsigned ns) to the metric's data points; true when it has any. */
  private static boolean widen(long[] span, Metric m) {
    List<Long> times = new ArrayList<>();
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> times.add(p.getTimeUnixNano()));
      case SUM -> m.getSum().getDataPointsList().forEach(p -> times.add(p.getTimeUnixNano()));
      case HISTOGRAM -> m.getHistogram().getDataPointsList().forEach(p -> times.add(p.getTimeUnixNano()));
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().forEach(p -> times.add(p.getTimeUnixNano()));
      case SUMMARY -> m.getSummary().getDataPointsList().forEach(p -> times.add(p.getTimeUnixNano()));
      default -> {
        return false;
      }
    }
    for (long t : times) {
      if (Long.compareUnsigned(t, span[0]) < 0) {
        span[0] = t;
      }
      if (Long.compareUnsigned(t, span[1]) > 0) {
        span[1] = t;
      }
    }
    return !times.isEmpty();
  }

  private static KeyValue first(List<KeyValue> attrs, String key) {
    for (KeyValue kv : attrs) {
      if (kv.getKey().equals(key)) {
        return kv;
      }
    }
    return null;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000L;
  }

  private static boolean noRecordedValue(int flags) {
    return (flags & 1) != 0;
  }

  /** An OTLP {@code fixed64} count as the float Go's {@code float64(uint64)} gives. */
  static double unsigned(long v) {
    return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
  }

  /** The instrumentation scope of a group of metrics. */
  private record Scope(String name, String version, String schemaUrl, List<KeyValue> attributes) {
    static final Scope NONE = new Scope("", "", "", List.of());

    Scope(InstrumentationScope s, String schemaUrl) {
      this(s.getName(), s.getVersion(), schemaUrl, s.getAttributesList());
    }
  }
}
