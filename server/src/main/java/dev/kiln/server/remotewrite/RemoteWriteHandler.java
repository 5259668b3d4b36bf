package dev.kiln.server.remotewrite;

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

/**
 * {@code POST /api/v1/write}: remote write 1.0 ({@code prometheus.WriteRequest}) and 2.0
 * ({@code io.prometheus.write.v2.Request}), snappy-compressed. The body is decompressed from the
 * server's buffer into a reused array ({@link BodyDecompressor}) and decoded in place into a reused
 * {@link DecodedBatch} ({@link V1Decoder}, {@link V2Decoder}); a series seen before is found by
 * the bytes of its labels ({@link SeriesRefCache}) and appended by reference, so a request of
 * known series allocates nothing per sample and makes no String. The body is decoded and
 * validated completely before anything is appended, so a malformed request changes nothing
 * (400). Then, as Prometheus does: 1.0 is all-or-nothing (the first rejected sample rolls the
 * request back, 400); 2.0 commits the valid samples, answers 400 naming the rejections, and
 * always reports what was written in the {@code X-Prometheus-Remote-Write-*-Written} headers.
 * Thread-safe.
 */
public final class RemoteWriteHandler implements Handler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteWriteHandler.class);
  /** Samples further in the future than this are out of bounds, as in Prometheus. */
  static final long MAX_FUTURE_MILLIS = 10 * 60_000L;

  /** The largest decompressed body accepted by default (the HTTP server's body limit). */
  public static final int DEFAULT_MAX_DECODED_BYTES = 64 << 20;

  /** At most this many label sets are remembered. */
  private static final int MAX_CACHED_SERIES = 1 << 20;
  /** At most this many bytes of label sets are remembered (a shard refills from traffic beyond it). */
  private static final long MAX_CACHED_KEY_BYTES = 64L << 20;
  /** Idle per-request states kept for reuse (one per concurrent request up to this). */
  private static final int POOLED_STATES = 16;

  private final Appendable storage;
  private final Clock clock;
  private final RemoteWriteStats stats;
  private final SeriesRefCache refCache;
  private final ReceiveState.Pool states;

  public RemoteWriteHandler(Appendable storage, Clock clock, RemoteWriteStats stats) {
    this(storage, clock, stats, DEFAULT_MAX_DECODED_BYTES);
  }

  /** @param maxDecodedBytes bodies whose decompressed size would exceed this are answered 400 */
  public RemoteWriteHandler(Appendable storage, Clock clock, RemoteWriteStats stats, int maxDecodedBytes) {
    this(storage, clock, stats, maxDecodedBytes, new SeriesRefCache(MAX_CACHED_SERIES, MAX_CACHED_KEY_BYTES));
  }

  RemoteWriteHandler(Appendable storage, Clock clock, RemoteWriteStats stats, int maxDecodedBytes, SeriesRefCache cache) {
    this.storage = storage;
    this.clock = clock;
    this.stats = stats;
    this.refCache = cache;
    this.states = new ReceiveState.Pool(POOLED_STATES, cache, maxDecodedBytes);
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
      return withHeaders(p, Response.text(415, "unsupported content encoding " + enc + "\n"), 0, 0, 0);
    }
    ReceiveState state = states.take();
    try {
      int length;
      try {
        length = state.decompressor.decompress(r.bodyBuffer());
      } catch (IOException | RuntimeException e) {
        return withHeaders(p, Response.text(400, e.getMessage() + "\n"), 0, 0, 0);
      }
      byte[] raw = state.decompressor.output();
      DecodedBatch batch = state.batch;
      try {
        if (p == Protocol.V1) {
          state.v1.decode(raw, length, batch, state.keys);
        } else {
          state.v2.decode(raw, length, batch, state.keys);
        }
      } catch (InvalidWriteException e) {
        return withHeaders(p, Response.text(400, e.getMessage() + "\n"), 0, 0, 0);
      }
      return p == Protocol.V1 ? appendAllOrNothing(batch) : appendPartial(batch);
    } finally {
      states.give(state);
    }
  }

  private Response appendAllOrNothing(DecodedBatch b) {
    long maxT = clock.millis() + MAX_FUTURE_MILLIS;
    Appender app = storage.appender();
    boolean ok = false;
    try {
      long written = 0;
      long invalid = 0;
      for (int s = 0; s < b.size; s++) {
        if (b.invalid[s] != null) {
          // Prometheus 3.x skips a 1.0 series with invalid labels and writes the rest.
          invalid += b.sampleCount[s] + b.histogramCount[s];
          continue;
        }
        long ref = b.ref[s];
        for (int i = b.sampleStart[s], end = i + b.sampleCount[s]; i < end; i++) {
          ref = append(app, b, s, ref, i, maxT);
          written++;
        }
        for (int i = b.histogramStart[s], end = i + b.histogramCount[s]; i < end; i++) {
          ref = appendHistogram(app, b, s, ref, b.histogramSamples[i], maxT);
          written++;
        }
        if (b.exemplarCount[s] > 0) {
          appendExemplars(app, b, s, ref);
        }
        remember(b, s, ref);
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

  private Response appendPartial(DecodedBatch b) {
    long maxT = clock.millis() + MAX_FUTURE_MILLIS;
    Appender app = storage.appender();
    long written = 0;
    long histogramsWritten = 0;
    long exemplarsWritten = 0;
    int rejected = 0;
    String first = null;
    boolean ok = false;
    try {
      for (int s = 0; s < b.size; s++) {
        if (b.invalid[s] != null) {
          int n = b.sampleCount[s] + b.histogramCount[s];
          rejected += n;
          stats.invalidLabels(n);
          if (first == null) {
            first = b.invalid[s];
          }
          continue;
        }
        long ref = b.ref[s];
        for (int i = b.sampleStart[s], end = i + b.sampleCount[s]; i < end; i++) {
          try {
            ref = append(app, b, s, ref, i, maxT);
            written++;
          } catch (AppendException e) {
            rejected++;
            if (first == null) {
              first = e.getMessage();
            }
          }
        }
        for (int i = b.histogramStart[s], end = i + b.histogramCount[s]; i < end; i++) {
          try {
            ref = appendHistogram(app, b, s, ref, b.histogramSamples[i], maxT);
            histogramsWritten++;
          } catch (AppendException e) {
            rejected++;
            if (first == null) {
              first = e.getMessage();
            }
          }
        }
        if (b.exemplarCount[s] > 0) {
          exemplarsWritten += appendExemplars(app, b, s, ref);
        }
        remember(b, s, ref);
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
    return withHeaders(Protocol.V2, resp, written, histogramsWritten, exemplarsWritten);
  }

  /**
   * Appends the exemplars of series {@code s} after its samples, as Prometheus's receiver: an
   * exemplar the storage rejects (unknown series, out of order, label length) is logged and
   * skipped, never failing the request. Returns how many were taken.
   */
  private static int appendExemplars(Appender app, DecodedBatch b, int s, long ref) {
    int taken = 0;
    for (int i = b.exemplarStart[s], end = i + b.exemplarCount[s]; i < end; i++) {
      dev.kiln.tsdb.storage.Exemplar e = b.exemplarList[i];
      try {
        app.appendExemplar(ref, ref != 0 ? b.labels[s] : labelsOf(b, s), e);
        taken++;
      } catch (dev.kiln.tsdb.storage.ExemplarException | AppendException ex) {
        LOG.debug("exemplar {} of {} not stored: {}", e, b.labels[s], ex.getMessage());
      }
    }
    return taken;
  }

  private static Response withHeaders(Protocol p, Response r, long samples, long histograms, long exemplars) {
    if (p == Protocol.V2) {
      r.withHeader("X-Prometheus-Remote-Write-Samples-Written", Long.toString(samples));
      r.withHeader("X-Prometheus-Remote-Write-Histograms-Written", Long.toString(histograms));
      r.withHeader("X-Prometheus-Remote-Write-Exemplars-Written", exemplars == 0 ? "0" : Long.toString(exemplars));
    }
    return r;
  }

  /**
   * Appends sample {@code i} of series {@code s}. A series known only by a cached reference is
   * appended by reference; if the storage no longer has that series, its labels are decoded from
   * its key and it is appended by labels, as a series seen for the first time. A sample later
   * than {@code maxT} is out of bounds.
   */
  private long append(Appender app, DecodedBatch b, int s, long ref, int i, long maxT) {
    long t = b.timestamps[i];
    double v = b.values[i];
    checkNotTooNew(b, s, t, maxT);
    Labels labels = b.labels[s];
    if (labels != null) {
      return app.append(ref, labels, t, v);
    }
    try {
      return app.append(ref, null, t, v);
    } catch (AppendException e) {
      if (e.reason() != AppendException.Reason.INVALID_LABELS) {
        throw e;
      }
      forget(b, s);
      return app.append(0, labelsOf(b, s), t, v);
    }
  }

  /** As {@link #append}, for a native-histogram sample. */
  private long appendHistogram(Appender app, DecodedBatch b, int s, long ref, HistogramDecoder.Sample h, long maxT) {
    checkNotTooNew(b, s, h.timestamp(), maxT);
    Labels labels = b.labels[s];
    if (labels != null) {
      return app.appendHistogram(ref, labels, h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    }
    try {
      return app.appendHistogram(ref, null, h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    } catch (AppendException e) {
      if (e.reason() != AppendException.Reason.INVALID_LABELS) {
        throw e;
      }
      forget(b, s);
      return app.appendHistogram(0, labelsOf(b, s), h.timestamp(), h.h(), h.fh(), AppendOptions.NONE);
    }
  }

  private static void checkNotTooNew(DecodedBatch b, int s, long t, long maxT) {
    if (t > maxT) {
      throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "for series " + labelsOf(b, s));
    }
  }

  private void forget(DecodedBatch b, int s) {
    refCache.remove(b.keyHash[s], b.keyBuffer[s], b.keyOffset[s], b.keyLength[s]);
    b.ref[s] = 0;
  }

  /** The labels of series {@code s}, decoded from its key when it was known by reference. */
  private static Labels labelsOf(DecodedBatch b, int s) {
    if (b.labels[s] == null) {
      try {
        b.labels[s] = new LabelFields().decode(b.keyBuffer[s], b.keyOffset[s], b.keyLength[s]);
      } catch (InvalidWriteException e) {
        throw new AppendException(AppendException.Reason.INVALID_LABELS, e.getMessage());
      }
    }
    return b.labels[s];
  }

  private void remember(DecodedBatch b, int s, long ref) {
    if (b.hasKey(s) && ref > 0 && ref != b.ref[s]) {
      refCache.put(b.keyHash[s], b.keyBuffer[s], b.keyOffset[s], b.keyLength[s], ref);
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
