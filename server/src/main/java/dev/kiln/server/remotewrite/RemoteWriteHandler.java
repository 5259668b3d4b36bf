package dev.kiln.server.remotewrite;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.server.http.Handler;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * {@code POST /api/v1/write}: remote write 1.0 ({@code prometheus.WriteRequest}) and 2.0
 * ({@code io.prometheus.write.v2.Request}), snappy-compressed. The body is decoded and validated
 * completely before anything is appended, so a malformed request changes nothing (400). Then, as
 * Prometheus does: 1.0 is all-or-nothing (the first rejected sample rolls the request back, 400);
 * 2.0 commits the valid samples, answers 400 naming the rejections, and always reports what was
 * written in the {@code X-Prometheus-Remote-Write-*-Written} headers. Series of 1.0 requests that
 * were seen before are found by the raw bytes of their labels ({@link SeriesRefCache}).
 */
public final class RemoteWriteHandler implements Handler {
  /** Samples further in the future than this are out of bounds, as in Prometheus. */
  static final long MAX_FUTURE_MILLIS = 10 * 60_000L;

  /** At most this many label sets are remembered; about 24 bytes each. */
  private static final int MAX_CACHED_SERIES = 1 << 20;

  private final Appendable storage;
  private final Clock clock;
  private final RemoteWriteStats stats;
  private final SeriesRefCache refCache = new SeriesRefCache(MAX_CACHED_SERIES);
  private final V1Decoder v1 = new V1Decoder(refCache);

  public RemoteWriteHandler(Appendable storage, Clock clock, RemoteWriteStats stats) {
    this.storage = storage;
    this.clock = clock;
    this.stats = stats;
  }

  @Override
  public Response handle(Request r) {
    String ct = r.header("content-type");
    Protocol p = Protocol.of(ct);
    if (p == null) {
      return Response.text(415, "unsupported content type " + ct + "; expected application/x-protobuf with proto=prometheus.WriteRequest or io.prometheus.write.v2.Request\n");
    }
    String enc = r.header("content-encoding");
    if (enc != null && !enc.isEmpty() && !enc.equalsIgnoreCase("snappy")) {
      return withHeaders(p, Response.text(415, "unsupported content encoding " + enc + "\n"), 0, 0);
    }
    byte[] raw;
    try {
      raw = Snappy.uncompress(r.body());
    } catch (IOException | RuntimeException e) {
      return withHeaders(p, Response.text(400, "snappy decode error: " + e.getMessage() + "\n"), 0, 0);
    }
    List<DecodedSeries> series;
    try {
      if (p == Protocol.V1) {
        series = v1.decode(raw);
      } else {
        dev.kiln.server.remotewrite.proto.v2.Request req = dev.kiln.server.remotewrite.proto.v2.Request.parseFrom(raw);
        series = V2Decoder.decode(req);
      }
    } catch (InvalidProtocolBufferException e) {
      return withHeaders(p, Response.text(400, "proto unmarshal error: " + e.getMessage() + "\n"), 0, 0);
    } catch (InvalidWriteException e) {
      return withHeaders(p, Response.text(400, e.getMessage() + "\n"), 0, 0);
    }
    return p == Protocol.V1 ? appendAllOrNothing(series) : appendPartial(series);
  }

  private Response appendAllOrNothing(List<DecodedSeries> series) {
    long maxT = clock.millis() + MAX_FUTURE_MILLIS;
    Appender app = storage.appender();
    boolean ok = false;
    try {
      long written = 0;
      long invalid = 0;
      for (DecodedSeries s : series) {
        if (s.invalidReason() != null) {
          // Prometheus 3.x skips a 1.0 series with invalid labels and writes the rest.
          invalid += s.timestamps.length + s.histogramCount();
          continue;
        }
        long ref = s.cachedRef();
        for (int i = 0; i < s.timestamps.length; i++) {
          if (s.timestamps[i] > maxT) {
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "for series " + labelsOf(s));
          }
          ref = append(app, s, ref, i);
          written++;
        }
        for (int i = 0; i < s.histogramCount(); i++) {
          if (s.histograms[i].timestamp() > maxT) {
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "for series " + labelsOf(s));
          }
          ref = appendHistogram(app, s, ref, s.histograms[i]);
          written++;
        }
        remember(s, ref);
      }
      app.commit();
      ok = true;
      stats.samples(written);
      stats.invalidLabels(invalid);
      return Response.empty(204);
    } catch (AppendException e) {
      stats.rejected(1);
      return Response.text(400, e.getMessage() + (e.getMessage().contains("series") ? "" : " for series") + "\n");
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
  }

  private Response appendPartial(List<DecodedSeries> series) {
    long maxT = clock.millis() + MAX_FUTURE_MILLIS;
    Appender app = storage.appender();
    long written = 0;
    long histogramsWritten = 0;
    int rejected = 0;
    String first = null;
    boolean ok = false;
    try {
      for (DecodedSeries s : series) {
        if (s.invalidReason() != null) {
          rejected += s.timestamps.length + s.histogramCount();
          stats.invalidLabels(s.timestamps.length + s.histogramCount());
          if (first == null) {
            first = s.invalidReason();
          }
          continue;
        }
        long ref = s.cachedRef();
        for (int i = 0; i < s.timestamps.length; i++) {
          try {
            if (s.timestamps[i] > maxT) {
              throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "for series " + labelsOf(s));
            }
            ref = append(app, s, ref, i);
            written++;
          } catch (AppendException e) {
            rejected++;
            if (first == null) {
              first = e.getMessage();
            }
          }
        }
        for (int i = 0; i < s.histogramCount(); i++) {
          try {
            if (s.histograms[i].timestamp() > maxT) {
              throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "for series " + labelsOf(s));
            }
            ref = appendHistogram(app, s, ref, s.histograms[i]);
            histogramsWritten++;
          } catch (AppendException e) {
            rejected++;
            if (first == null) {
              first = e.getMessage();
            }
          }
        }
        remember(s, ref);
      }
      app.commit();
      ok = true;
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
    stats.samples(written + histogramsWritten);
    stats.rejected(rejected);
    Response resp = first == null ? Response.empty(204)
        : Response.text(400, rejected + " samples rejected; first: " + first + "\n");
    return withHeaders(Protocol.V2, resp, written, histogramsWritten);
  }

  private static Response withHeaders(Protocol p, Response r, long samples, long histograms) {
    if (p == Protocol.V2) {
      r.withHeader("X-Prometheus-Remote-Write-Samples-Written", Long.toString(samples));
      r.withHeader("X-Prometheus-Remote-Write-Histograms-Written", Long.toString(histograms));
      r.withHeader("X-Prometheus-Remote-Write-Exemplars-Written", "0");
    }
    return r;
  }

  /**
   * Appends sample {@code i} of {@code s}. A series known only by a cached reference is appended by
   * reference; if the head no longer has that series, its labels are decoded and it is appended
   * by labels, as a series seen for the first time.
   */
  private long append(Appender app, DecodedSeries s, long ref, int i) {
    long t = s.timestamps[i];
    double v = s.values[i];
    if (s.labels() != null) {
      return app.append(ref, s.labels(), t, v);
    }
    try {
      return app.append(ref, null, t, v);
    } catch (AppendException e) {
      if (e.reason() != AppendException.Reason.INVALID_LABELS) {
        throw e;
      }
      refCache.remove(s.key1, s.key2);
      return app.append(0, labelsOf(s), t, v);
    }
  }

  /** As {@link #append}, for a native-histogram sample. */
  private long appendHistogram(Appender app, DecodedSeries s, long ref, HistogramDecoder.Sample h) {
    if (s.labels() != null) {
      return app.appendHistogram(ref, s.labels(), h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    }
    try {
      return app.appendHistogram(ref, null, h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    } catch (AppendException e) {
      if (e.reason() != AppendException.Reason.INVALID_LABELS) {
        throw e;
      }
      refCache.remove(s.key1, s.key2);
      return app.appendHistogram(0, labelsOf(s), h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    }
  }

  private static Labels labelsOf(DecodedSeries s) {
    try {
      return s.decodeLabels();
    } catch (InvalidWriteException e) {
      throw new AppendException(AppendException.Reason.INVALID_LABELS, e.getMessage());
    }
  }

  private void remember(DecodedSeries s, long ref) {
    if (s.cacheable() && ref != 0 && ref != s.cachedRef()) {
      refCache.put(s.key1, s.key2, ref);
    }
  }

  /** The two wire protocols, chosen from Content-Type as Prometheus does. */
  enum Protocol {
    V1,
    V2;

    static Protocol of(String contentType) {
      if (contentType == null || contentType.isBlank()) {
        return V1;
      }
      String[] parts = contentType.split(";");
      if (!parts[0].trim().equalsIgnoreCase("application/x-protobuf")) {
        return null;
      }
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("proto=")) {
          String proto = p.substring(6).trim();
          return switch (proto) {
            case "prometheus.WriteRequest" -> V1;
            case "io.prometheus.write.v2.Request" -> V2;
            default -> null;
          };
        }
      }
      return V1;
    }
  }
}
