package dev.kiln.server.remotewrite;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.server.http.Handler;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * {@code POST /api/v1/write}, remote write 1.0: a snappy-compressed {@code prometheus.WriteRequest}.
 * The body is decoded and validated completely before anything is appended, so a malformed request
 * changes nothing (400). Samples the storage rejects (out of order, duplicate) are skipped as
 * Prometheus does, the rest committed, and the answer is 400 naming the first rejection; otherwise
 * 204.
 */
public final class RemoteWriteHandler implements Handler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteWriteHandler.class);

  private final Appendable storage;

  public RemoteWriteHandler(Appendable storage) {
    this.storage = storage;
  }

  @Override
  public Response handle(Request r) {
    String ct = r.header("content-type");
    if (ct != null && ct.contains("io.prometheus.write.v2.Request")) {
      return Response.text(415, "remote write 2.0 (io.prometheus.write.v2.Request) is not supported yet; send prometheus.WriteRequest\n");
    }
    byte[] raw;
    try {
      raw = Snappy.uncompress(r.body());
    } catch (IOException | RuntimeException e) {
      return Response.text(400, "snappy decode error: " + e.getMessage() + "\n");
    }
    WriteRequest wr;
    try {
      wr = WriteRequest.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      return Response.text(400, "proto unmarshal error: " + e.getMessage() + "\n");
    }
    List<Labels> series = new ArrayList<>(wr.getTimeseriesCount());
    for (TimeSeries ts : wr.getTimeseriesList()) {
      Labels.Builder b = Labels.builder();
      String prev = null;
      for (Label l : ts.getLabelsList()) {
        if (l.getName().isEmpty()) {
          return Response.text(400, "invalid labels: empty label name\n");
        }
        if (prev != null && prev.compareTo(l.getName()) >= 0) {
          return Response.text(400, "invalid labels: label names must be sorted and unique, got " + prev + " before " + l.getName() + "\n");
        }
        prev = l.getName();
        b.set(l.getName(), l.getValue());
      }
      Labels labels = b.build();
      if (labels.metricName() == null) {
        return Response.text(400, "invalid labels: missing metric name\n");
      }
      series.add(labels);
    }
    Appender app = storage.appender();
    String firstRejection = null;
    int rejected = 0;
    boolean ok = false;
    try {
      for (int i = 0; i < series.size(); i++) {
        TimeSeries ts = wr.getTimeseries(i);
        long ref = 0;
        for (var s : ts.getSamplesList()) {
          try {
            ref = app.append(ref, series.get(i), s.getTimestamp(), s.getValue());
          } catch (AppendException e) {
            rejected++;
            if (firstRejection == null) {
              firstRejection = e.getMessage() + " for series " + series.get(i);
            }
          }
        }
      }
      app.commit();
      ok = true;
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
    if (firstRejection != null) {
      LOG.debug("remote write: {} samples rejected, first: {}", rejected, firstRejection);
      return Response.text(400, firstRejection + "\n");
    }
    return Response.empty(204);
  }
}
