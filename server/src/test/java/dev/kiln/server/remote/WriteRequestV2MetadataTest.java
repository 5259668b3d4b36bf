package dev.kiln.server.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.server.remotewrite.proto.v2.Request;
import dev.kiln.server.remotewrite.proto.v2.TimeSeries;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Remote write 2.0 requests carry each series' family metadata inline. */
class WriteRequestV2MetadataTest {
  private final MetadataIndex index = new MetadataIndex(() -> List.of(
      new FamilyMetadata("http_requests", new Metadata(MetricType.COUNTER, "Requests.", "")),
      new FamilyMetadata("rpc_seconds", new Metadata(MetricType.HISTOGRAM, "RPC latency.", "seconds")),
      new FamilyMetadata("queue_bytes", new Metadata(MetricType.GAUGE, "", "bytes")),
      new FamilyMetadata("build", new Metadata(MetricType.INFO, "Build.", "")),
      new FamilyMetadata("jobs_total", new Metadata(MetricType.COUNTER, "Jobs.", ""))));

  @Test
  void eachSeriesCarriesTheMetadataOfItsFamily() throws Exception {
    String[] names = {"http_requests_total", "rpc_seconds_bucket", "rpc_seconds_count", "rpc_seconds", "queue_bytes",
        "queue_bytes_total", "build_info", "jobs_total", "other", "http_requests_created"};
    PendingSamples.Batch b = new PendingSamples.Batch(names.length);
    for (String n : names) {
      b.add(Labels.of("__name__", n, "job", "a"), 1000, 1, null);
    }
    Request r = Request.parseFrom(Snappy.uncompress(WriteRequestV2Encoder.encode(b, index)));
    List<String> got = new ArrayList<>();
    for (TimeSeries ts : r.getTimeseriesList()) {
      String name = r.getSymbols(ts.getLabelsRefs(1));
      got.add(name + " " + ts.getMetadata().getType() + " '" + r.getSymbols(ts.getMetadata().getHelpRef()) + "' '"
          + r.getSymbols(ts.getMetadata().getUnitRef()) + "'");
    }
    assertEquals(List.of(
        "http_requests_total METRIC_TYPE_COUNTER 'Requests.' ''",
        "rpc_seconds_bucket METRIC_TYPE_HISTOGRAM 'RPC latency.' 'seconds'",
        "rpc_seconds_count METRIC_TYPE_HISTOGRAM 'RPC latency.' 'seconds'",
        "rpc_seconds METRIC_TYPE_HISTOGRAM 'RPC latency.' 'seconds'",
        "queue_bytes METRIC_TYPE_GAUGE '' 'bytes'",
        "queue_bytes_total METRIC_TYPE_UNSPECIFIED '' ''",
        "build_info METRIC_TYPE_INFO 'Build.' ''",
        "jobs_total METRIC_TYPE_COUNTER 'Jobs.' ''",
        "other METRIC_TYPE_UNSPECIFIED '' ''",
        "http_requests_created METRIC_TYPE_UNSPECIFIED '' ''"), got);
  }

  @Test
  void withoutAnIndexNoSeriesHasMetadata() throws Exception {
    PendingSamples.Batch b = new PendingSamples.Batch(1);
    b.add(Labels.of("__name__", "http_requests_total"), 1000, 1, null);
    Request r = Request.parseFrom(Snappy.uncompress(WriteRequestV2Encoder.encode(b, null)));
    assertFalse(r.getTimeseries(0).hasMetadata());
  }
}
