package dev.kiln.server.differential;

import com.google.protobuf.MessageLite;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.server.remotewrite.proto.v2.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/** Remote-write 1.0 and 2.0 request bodies built from series with their samples. */
final class RemoteWriteRequests {
  static final Map<String, String> V1_HEADERS = Map.of(
      "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "0.1.0");
  static final Map<String, String> V2_HEADERS = Map.of(
      "Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request", "Content-Encoding", "snappy",
      "X-Prometheus-Remote-Write-Version", "2.0.0");

  /** Prometheus's stale marker. */
  static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  /** A series as sent: its label pairs in wire order (possibly unsorted) and its samples. */
  record Series(List<String> labelPairs, long[] timestamps, double[] values) {}

  private RemoteWriteRequests() {}

  /** The label pairs sorted by name, as a well-behaved sender sends them. */
  static List<String> sorted(List<String> pairs) {
    List<String[]> byName = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i += 2) {
      byName.add(new String[] {pairs.get(i), pairs.get(i + 1)});
    }
    byName.sort((a, b) -> a[0].compareTo(b[0]));
    List<String> out = new ArrayList<>();
    for (String[] p : byName) {
      out.add(p[0]);
      out.add(p[1]);
    }
    return out;
  }

  static byte[] v1(List<Series> series) {
    WriteRequest.Builder req = WriteRequest.newBuilder();
    for (Series s : series) {
      TimeSeries.Builder ts = TimeSeries.newBuilder();
      for (int i = 0; i < s.labelPairs().size(); i += 2) {
        ts.addLabels(Label.newBuilder().setName(s.labelPairs().get(i)).setValue(s.labelPairs().get(i + 1)));
      }
      for (int i = 0; i < s.timestamps().length; i++) {
        ts.addSamples(Sample.newBuilder().setTimestamp(s.timestamps()[i]).setValue(s.values()[i]));
      }
      req.addTimeseries(ts);
    }
    return snappy(req.build());
  }

  static byte[] v2(List<Series> series) {
    Request.Builder req = Request.newBuilder();
    Map<String, Integer> symbols = new HashMap<>();
    req.addSymbols("");
    symbols.put("", 0);
    for (Series s : series) {
      var ts = dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder();
      for (String sym : s.labelPairs()) {
        Integer ref = symbols.get(sym);
        if (ref == null) {
          ref = symbols.size();
          symbols.put(sym, ref);
          req.addSymbols(sym);
        }
        ts.addLabelsRefs(ref);
      }
      for (int i = 0; i < s.timestamps().length; i++) {
        ts.addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(s.timestamps()[i]).setValue(s.values()[i]));
      }
      req.addTimeseries(ts);
    }
    return snappy(req.build());
  }

  static byte[] snappy(MessageLite m) {
    return snappy(m.toByteArray());
  }

  static byte[] snappy(byte[] raw) {
    try {
      return Snappy.compress(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
