package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.scraper.parse.ProtobufParser;
import dev.kiln.scraper.parse.ProtobufSink;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's protobuf exposition carries text-pushed families with the same series as its text exposition. */
class PushStoreProtobufTest {
  @TempDir Path dir;

  private static Map<Labels, Double> fromText(String text) {
    Map<Labels, Double> out = new TreeMap<>();
    ExpositionParser.parse(text, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries s, double v, long t) {
        out.put(s.labels(), v);
      }
    });
    return out;
  }

  private static Map<Labels, Double> fromProtobuf(byte[] body) {
    Map<Labels, Double> out = new TreeMap<>();
    List<Labels> series = new ArrayList<>();
    ProtobufParser.parse(body, body.length, new ProtobufParser.Options(false, false), new ProtobufSink() {
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
      public void sample(int entry, double value, long ts) {
        out.put(series.get(entry), value);
      }

      @Override
      public void histogram(int entry, Histogram h, FloatHistogram fh, long ts) {
        throw new AssertionError("no native histogram was pushed");
      }
    });
    return out;
  }

  @Test
  void textFamiliesKeepTheirSeriesInTheProtobufExposition() throws Exception {
    PushStore store = new PushStore(dir.resolve("push.json"));
    GroupingKey key = GroupingKey.of("job", "batch");
    store.push(key, "# TYPE lat histogram\nlat_bucket{le=\"0.5\"} 2\nlat_bucket{le=\"+Inf\"} 5\nlat_sum 3.5\nlat_count 5\n"
        + "# TYPE q summary\nq{quantile=\"0.9\"} 0.2\nq_sum 1\nq_count 4\n# TYPE hits counter\nhits{path=\"/\"} 7\n"
        + "plain{instance=\"box\"} 1\n", true, 100_000_000_000L);
    store.pushProtobuf(GroupingKey.of("job", "other"),
        Pb.delimited(Pb.msg().string(1, "done").uint(3, 1).msg(4, Pb.msg().msg(2, Pb.msg().dbl(1, 1)))), true, 200_000_000_000L);
    Map<Labels, Double> text = fromText(store.exposition());
    assertEquals(text, fromProtobuf(store.protobufExposition()));
    assertEquals(14, text.size(), text.toString());
  }
}
