package dev.kiln.scraper.parse;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.nio.charset.StandardCharsets;

/**
 * Converts the classic histograms of a page into native histograms with custom buckets (schema
 * -53) on their way to another sink, as Prometheus's {@code convert_classic_histograms_to_nhcb}
 * ({@code textparse.NHCBParser}) does:
 *
 * <ul>
 *   <li>only families whose TYPE is {@code histogram} are converted (not {@code gaugehistogram},
 *       not untyped {@code _bucket} series); a series takes part when its name is the family name
 *       plus {@code _bucket} (with a numeric, non-NaN {@code le}), {@code _count} or {@code _sum};
 *   <li>consecutive such series with the same labels apart from {@code le} make one histogram,
 *       stored under the family name with those labels, once the next series of another
 *       histogram, another family or the end of the page is reached;
 *   <li>the classic series themselves ({@code _bucket}, {@code _count} and {@code _sum}) go on to
 *       the sink only when {@code keepClassic} ({@code always_scrape_classic_histograms}) is set;
 *       without it they are dropped even when the conversion fails (see {@link CustomBuckets});
 *   <li>classic series of a protobuf histogram that also came as an exponential native histogram
 *       (same name and labels) are passed through, not converted;
 *   <li>the converted histogram carries the timestamp of the line read when it is handed on, as
 *       Prometheus's {@code NHCBParser}: the next series' (its explicit timestamp, or none) when a
 *       series ends the group, the group's last series' when a comment line or the page's end
 *       does; and the created timestamp of its group's first series;
 *   <li>the exemplars of the group's series go with the converted histogram (and not with the
 *       classic series, also when they are kept), as Prometheus 3.x's {@code NHCBParser} collects
 *       them.
 * </ul>
 *
 * <p>While inside a histogram family the sink answers {@link #cached} with "unknown", so the
 * parser hands over the labels of every line of that family; other lines go straight through.
 * Call {@link #finish} after a page parsed without error. Single-thread, reused per scrape after
 * {@link #reset}.
 */
public final class NhcbSink implements ProtobufSink {
  /** Entry of a classic series dropped after conversion. */
  private static final int DROPPED = Integer.MAX_VALUE;
  /** First byte of a converted histogram's series key: never the start of a text or protobuf key. */
  private static final byte KEY_MARK = (byte) 0xFE;

  /** A line's part in a histogram; PASS: a {@code _bucket} line of the family without a numeric {@code le}. */
  private enum Role { NONE, BUCKET, COUNT, SUM, PASS }

  private final ProtobufSink out;
  private final boolean keepClassic;
  private final CustomBuckets buckets = new CustomBuckets();

  private String family;
  private boolean histogramFamily;
  /** Whether the line being read is inspected (its labels came through {@link #newSeries}). */
  private boolean inspecting;
  private Role role = Role.NONE;
  private double le;
  private Labels lineLabels;
  /** The converted histogram's labels of the line being read. */
  private Labels lineBase;
  /** The labels of the histogram being collected, or null. */
  private Labels group;
  private long groupTs;
  /** The created timestamp current when the group started, and the one current now. */
  private long groupCreated;
  private long created;
  /** Whether the converted histogram handed on last takes the next line's timestamp. */
  private boolean retimeNext;
  /** The labels of the last exponential native histogram of the family, or null. */
  private Labels lastNative;
  /** Whether the sample handed over last was collected into the group (its exemplars are the group's). */
  private boolean lastCollected;
  /** Exemplars of the group being collected, and of the histogram converted last: labels, value, timestamp. */
  private final java.util.List<Kept> groupExemplars = new java.util.ArrayList<>();
  private final java.util.List<Kept> convertedExemplars = new java.util.ArrayList<>();

  public NhcbSink(ProtobufSink out, boolean keepClassic) {
    this.out = out;
    this.keepClassic = keepClassic;
  }

  /** Forgets the previous page. */
  public void reset() {
    family = null;
    histogramFamily = false;
    inspecting = false;
    role = Role.NONE;
    group = null;
    lastNative = null;
    retimeNext = false;
    created = 0;
    lastCollected = false;
    groupExemplars.clear();
    convertedExemplars.clear();
  }

  /** Stores the histogram still being collected at the end of the page. */
  public void finish() {
    flush();
  }

  @Override
  public void metadata(String name, MetricType type, String help, String unit) {
    flush();
    family = name;
    histogramFamily = type == MetricType.HISTOGRAM;
    lastNative = null;
    out.metadata(name, type, help, unit);
  }

  @Override
  public int cached(byte[] buf, int start, int end) {
    if (histogramFamily) {
      inspecting = true;
      return -1;
    }
    inspecting = false;
    flushWithNextTimestamp();
    return out.cached(buf, start, end);
  }

  @Override
  public int newSeries(byte[] buf, int start, int end, ParsedSeries series) {
    if (!inspecting) {
      return out.newSeries(buf, start, end, series);
    }
    Labels labels = series.labels();
    classify(labels);
    if (role != Role.NONE && group != null && !lineBase.equals(group)) {
      flushWithNextTimestamp();
    }
    if (role == Role.PASS) {
      // Not part of the histogram, but of its labels: the group goes on, the line is kept as is
      // (Prometheus's NHCBParser compares labels without le before it looks at the bucket).
      lineLabels = labels;
      role = Role.NONE;
      int e = out.cached(buf, start, end);
      return e >= 0 ? e : out.newSeries(buf, start, end, series);
    }
    if (role == Role.NONE) {
      flushWithNextTimestamp();
    } else if (lineBase.equals(lastNative)) {
      role = Role.NONE;
    }
    lineLabels = labels;
    if (role != Role.NONE && !keepClassic) {
      return DROPPED;
    }
    int e = out.cached(buf, start, end);
    return e >= 0 ? e : out.newSeries(buf, start, end, series);
  }

  @Override
  public void created(long createdMillis) {
    created = createdMillis;
    out.created(createdMillis);
  }

  @Override
  public void sample(int entry, double value, long timestampMillis) {
    retimeConverted(timestampMillis);
    lastCollected = false;
    if (inspecting) {
      inspecting = false;
      if (role != Role.NONE) {
        collect(value, timestampMillis);
        lastCollected = true;
      }
    }
    if (entry != DROPPED) {
      out.sample(entry, value, timestampMillis);
    }
  }

  @Override
  public void histogram(int entry, Histogram h, FloatHistogram fh, long timestampMillis) {
    retimeConverted(timestampMillis);
    lastCollected = false;
    if (inspecting) {
      inspecting = false;
      lastNative = lineLabels;
    }
    out.histogram(entry, h, fh, timestampMillis);
  }

  @Override
  public void exemplar(Labels labels, double value, long timestampMillis) {
    if (lastCollected) {
      groupExemplars.add(new Kept(labels, value, timestampMillis));
    } else {
      out.exemplar(labels, value, timestampMillis);
    }
  }

  private void classify(Labels labels) {
    role = Role.NONE;
    String name = labels.metricName();
    if (family == null || name == null) {
      return;
    }
    String base;
    if (name.endsWith("_bucket")) {
      base = name.substring(0, name.length() - 7);
      String bound = labels.get("le");
      double v = bound == null ? Double.NaN : parseBound(bound);
      le = v;
      role = Double.isNaN(v) ? Role.PASS : Role.BUCKET;
    } else if (name.endsWith("_sum")) {
      base = name.substring(0, name.length() - 4);
      role = Role.SUM;
    } else if (name.endsWith("_count")) {
      base = name.substring(0, name.length() - 6);
      role = Role.COUNT;
    } else {
      return;
    }
    if (!base.equals(family)) {
      role = Role.NONE;
      return;
    }
    lineBase = labels.toBuilder().set(Labels.METRIC_NAME, base).delete("le").build();
  }

  private void collect(double value, long ts) {
    if (group == null) {
      group = lineBase;
      groupCreated = created;
      buckets.reset();
      groupExemplars.clear();
    }
    groupTs = ts;
    switch (role) {
      case BUCKET -> buckets.bucket(le, value);
      case COUNT -> buckets.count(value);
      case SUM -> buckets.sum(value);
      default -> throw new IllegalStateException("BUG: collecting a series that is not part of a histogram");
    }
  }

  /** Hands the collected histogram on at a comment line or the page's end: with its last series' timestamp. */
  private void flush() {
    if (converted()) {
      emit(groupTs);
    }
  }

  /**
   * Hands the collected histogram on at a series line, which Prometheus's {@code NHCBParser}
   * reads before it emits the histogram: the histogram takes that line's timestamp (none when the
   * line has none), set by {@link #retimeConverted} once the line's sample comes.
   */
  private void flushWithNextTimestamp() {
    if (converted()) {
      emit(ExpositionSink.NO_TIMESTAMP);
      retimeNext = true;
    }
  }

  /** Gives the histogram handed on at this line the line's timestamp, when the line has one. */
  private void retimeConverted(long timestampMillis) {
    if (retimeNext) {
      retimeNext = false;
      if (timestampMillis != ExpositionSink.NO_TIMESTAMP) {
        out.retime(timestampMillis);
      }
    }
  }

  /** Converts the collected group; false when there was none or it does not convert and validate. */
  private boolean converted() {
    if (group == null) {
      return false;
    }
    convertedLabels = group;
    group = null;
    convertedExemplars.clear();
    convertedExemplars.addAll(groupExemplars);
    groupExemplars.clear();
    if (!buckets.convert()) {
      return false;
    }
    try {
      if (buckets.histogram != null) {
        buckets.histogram.validate();
      } else {
        buckets.floatHistogram.validate();
      }
    } catch (HistogramException e) {
      return false;
    }
    return true;
  }

  /** The labels of the histogram last converted. */
  private Labels convertedLabels;

  /** Hands the converted histogram on at {@code timestampMillis}, with its group's created timestamp. */
  private void emit(long timestampMillis) {
    Labels labels = convertedLabels;
    byte[] text = labels.toString().getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[text.length + 1];
    key[0] = KEY_MARK;
    System.arraycopy(text, 0, key, 1, text.length);
    int e = out.cached(key, 0, key.length);
    if (e < 0) {
      e = out.newSeries(key, 0, key.length, new Converted(labels));
    }
    if (groupCreated != created) {
      out.created(groupCreated);
      out.histogram(e, buckets.histogram, buckets.floatHistogram, timestampMillis);
      out.created(created);
    } else {
      out.histogram(e, buckets.histogram, buckets.floatHistogram, timestampMillis);
    }
    for (Kept x : convertedExemplars) {
      out.exemplar(x.labels(), x.value(), x.timestampMillis());
    }
    convertedExemplars.clear();
  }

  /** Go's {@code strconv.ParseFloat} for {@code le} values; NaN when it does not parse. */
  static double parseBound(String s) {
    String t = s.startsWith("+") ? s.substring(1) : s;
    if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity")) {
      return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (t.equalsIgnoreCase("-inf") || t.equalsIgnoreCase("-infinity")) {
      return Double.NEGATIVE_INFINITY;
    }
    if (t.isEmpty() || !Character.isDigit(t.charAt(t.length() - 1)) && t.charAt(t.length() - 1) != '.') {
      return Double.NaN; // Also refuses Java's suffixes (1d, 1f) and words.
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** An exemplar kept for the converted histogram. */
  private record Kept(Labels labels, double value, long timestampMillis) {}

  private record Converted(Labels labels) implements ParsedSeries {
    @Override
    public String metricName() {
      return labels.metricName();
    }
  }
}
