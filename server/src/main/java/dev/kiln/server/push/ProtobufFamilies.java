package dev.kiln.server.push;

import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.scraper.parse.ProtobufParser;
import dev.kiln.scraper.parse.ProtobufSink;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a push body in the delimited protobuf format into push-store families: each MetricFamily
 * message gets the group's labels and is validated by parsing it with scraper's
 * {@link ProtobufParser} (native histograms included), which also yields the family's float
 * series for the consistency checks and the metrics listing.
 */
final class ProtobufFamilies {
  private static final ProtobufParser.Options OPTIONS = new ProtobufParser.Options(true, true);

  private ProtobufFamilies() {}

  static Map<String, PushedGroup.Family> parse(GroupingKey key, byte[] body) throws PushException {
    Map<String, ByteArrayOutputStream> messages = new LinkedHashMap<>();
    Map<String, Collector> collected = new LinkedHashMap<>();
    try {
      for (byte[] msg : MetricFamilyCodec.split(body)) {
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        MetricFamilyCodec.delimit(one, MetricFamilyCodec.withLabels(msg, key));
        byte[] labelled = one.toByteArray();
        Collector c = new Collector(emptyNames(key));
        ProtobufParser.parse(labelled, labelled.length, OPTIONS, c);
        if (c.timestamped) {
          throw PushException.inconsistent("pushed metrics must not have timestamps");
        }
        if (c.type == null || PushStore.isPushTimeFamily(c.family)) {
          continue; // An empty family, skipped as Prometheus skips it; push times are the store's own.
        }
        Collector prev = collected.get(c.family);
        if (prev != null) {
          prev.samples.addAll(c.samples);
        } else {
          collected.put(c.family, c);
        }
        messages.computeIfAbsent(c.family, k -> new ByteArrayOutputStream()).writeBytes(labelled);
      }
    } catch (ExpositionException e) {
      // A message cut short reads as Go's io.ErrUnexpectedEOF in the Pushgateway.
      throw new PushException(e.getMessage().endsWith("exceeds the body") ? "unexpected EOF"
          : "protobuf format parsing error: " + e.getMessage());
    }
    Map<String, PushedGroup.Family> out = new LinkedHashMap<>();
    collected.forEach((name, c) -> out.put(name, new PushedGroup.Family(c.type, c.help, List.copyOf(c.samples),
        messages.get(name).toByteArray())));
    return out;
  }

  /** The grouping labels with an empty value, which every metric of the group carries so. */
  private static List<String> emptyNames(GroupingKey key) {
    List<String> out = new ArrayList<>();
    key.forEach((n, v) -> {
      if (v.isEmpty()) {
        out.add(n);
      }
    });
    return List.copyOf(out);
  }

  /** Collects one family's metadata and float series. */
  private static final class Collector implements ProtobufSink {
    private final List<String> emptyLabels;
    String family;
    MetricType type;
    String help = "";
    boolean timestamped;
    final List<Labels> series = new ArrayList<>();
    final List<PushedGroup.PushedSample> samples = new ArrayList<>();

    Collector(List<String> emptyLabels) {
      this.emptyLabels = emptyLabels;
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      this.family = family;
      this.type = type;
      this.help = help;
    }

    @Override
    public int cached(byte[] buf, int start, int end) {
      return -1;
    }

    @Override
    public int newSeries(byte[] buf, int start, int end, ParsedSeries s) {
      series.add(s.labels());
      return series.size() - 1;
    }

    @Override
    public void sample(int entry, double value, long timestampMillis) {
      checkTimestamp(timestampMillis);
      samples.add(new PushedGroup.PushedSample(series.get(entry), value, emptyLabels));
    }

    @Override
    public void histogram(int entry, Histogram h, FloatHistogram fh, long timestampMillis) {
      checkTimestamp(timestampMillis);
    }

    private void checkTimestamp(long ts) {
      if (ts != ExpositionSink.NO_TIMESTAMP) {
        timestamped = true;
      }
    }
  }
}
