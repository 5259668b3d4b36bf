package dev.kiln.server.remote;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.server.remotewrite.proto.v2.Request;
import dev.kiln.server.remotewrite.proto.v2.Sample;
import dev.kiln.server.remotewrite.proto.v2.TimeSeries;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Metadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Encodes a batch as a snappy-compressed remote write 2.0 {@code io.prometheus.write.v2.Request}:
 * one symbol table (the empty string first, then every label name and value once, in first-use
 * order), one time series per label set with its label references, float samples and native
 * histograms. A 2.0 {@code Histogram} has the same fields as 1.0's, so histograms are written as
 * their 1.0 message under the 2.0 field number. With a metadata index, each series carries the
 * type, help and unit of the family it belongs to (help and unit as symbols); without one, or for
 * a series of no known family, no metadata.
 */
final class WriteRequestV2Encoder {
  private static final int HISTOGRAMS_FIELD = 3;

  private WriteRequestV2Encoder() {}

  static byte[] encode(PendingSamples.Batch batch) throws IOException {
    return encode(batch, null);
  }

  /** @param metadata where per-series metadata comes from; null sends none */
  static byte[] encode(PendingSamples.Batch batch, MetadataIndex metadata) throws IOException {
    Map<String, Integer> symbols = new HashMap<>();
    List<String> table = new ArrayList<>();
    symbol("", symbols, table);
    Map<Labels, Integer> index = new HashMap<>();
    List<TimeSeries.Builder> series = new ArrayList<>();
    List<List<byte[]>> histograms = new ArrayList<>();
    for (int i = 0; i < batch.size; i++) {
      Labels l = batch.labels[i];
      Integer k = index.get(l);
      if (k == null) {
        TimeSeries.Builder ts = TimeSeries.newBuilder();
        for (int j = 0; j < l.size(); j++) {
          ts.addLabelsRefs(symbol(l.name(j), symbols, table));
          ts.addLabelsRefs(symbol(l.value(j), symbols, table));
        }
        Metadata m = metadata == null ? null : metadata.lookup(l.getOrEmpty("__name__"));
        if (m != null) {
          ts.setMetadata(dev.kiln.server.remotewrite.proto.v2.Metadata.newBuilder()
              .setTypeValue(MetadataIndex.protoType(m.type()))
              .setHelpRef(m.help().isEmpty() ? 0 : symbol(m.help(), symbols, table))
              .setUnitRef(m.unit().isEmpty() ? 0 : symbol(m.unit(), symbols, table)));
        }
        k = series.size();
        index.put(l, k);
        series.add(ts);
        histograms.add(new ArrayList<>());
      }
      Object h = batch.histograms[i];
      long t = batch.timestamps[i];
      if (h == null) {
        series.get(k).addSamples(Sample.newBuilder().setTimestamp(t).setValue(batch.values[i]));
      } else if (h instanceof Histogram ih) {
        histograms.get(k).add(HistogramProtos.of(t, ih).toByteArray());
      } else {
        histograms.get(k).add(HistogramProtos.of(t, (FloatHistogram) h).toByteArray());
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    Request.Builder head = Request.newBuilder().addAllSymbols(table);
    head.build().writeTo(out);
    for (int k = 0; k < series.size(); k++) {
      byte[] ts = series.get(k).build().toByteArray();
      int length = ts.length;
      for (byte[] h : histograms.get(k)) {
        length += CodedOutputStream.computeByteArraySize(HISTOGRAMS_FIELD, h);
      }
      out.writeTag(Request.TIMESERIES_FIELD_NUMBER, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(length);
      out.writeRawBytes(ts);
      for (byte[] h : histograms.get(k)) {
        out.writeByteArray(HISTOGRAMS_FIELD, h);
      }
    }
    out.flush();
    return Snappy.compress(bytes.toByteArray());
  }

  private static int symbol(String s, Map<String, Integer> symbols, List<String> table) {
    Integer ref = symbols.get(s);
    if (ref == null) {
      ref = table.size();
      symbols.put(s, ref);
      table.add(s);
    }
    return ref;
  }
}
