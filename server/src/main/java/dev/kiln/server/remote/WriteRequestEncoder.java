package dev.kiln.server.remote;

import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Encodes a batch as a snappy-compressed remote write 1.0 {@code prometheus.WriteRequest}: one
 * time series per label set, its float samples and its native histograms ({@code histograms},
 * integer or float as stored) each in the order they were taken (timestamp order per series).
 */
final class WriteRequestEncoder {
  private WriteRequestEncoder() {}

  static byte[] encode(PendingSamples.Batch batch) throws IOException {
    Map<Labels, TimeSeries.Builder> bySeries = new HashMap<>();
    WriteRequest.Builder req = WriteRequest.newBuilder();
    java.util.List<TimeSeries.Builder> order = new java.util.ArrayList<>();
    for (int i = 0; i < batch.size; i++) {
      Labels l = batch.labels[i];
      TimeSeries.Builder ts = bySeries.get(l);
      if (ts == null) {
        ts = TimeSeries.newBuilder();
        for (int k = 0; k < l.size(); k++) {
          ts.addLabels(Label.newBuilder().setName(l.name(k)).setValue(l.value(k)));
        }
        bySeries.put(l, ts);
        order.add(ts);
      }
      Object h = batch.histograms[i];
      if (h == null) {
        ts.addSamples(Sample.newBuilder().setTimestamp(batch.timestamps[i]).setValue(batch.values[i]));
      } else if (h instanceof Histogram ih) {
        ts.addHistograms(HistogramProtos.of(batch.timestamps[i], ih));
      } else {
        ts.addHistograms(HistogramProtos.of(batch.timestamps[i], (FloatHistogram) h));
      }
    }
    for (TimeSeries.Builder ts : order) {
      req.addTimeseries(ts);
    }
    return Snappy.compress(req.build().toByteArray());
  }
}
