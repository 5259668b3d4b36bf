package dev.kiln.server.otlp;

import dev.kiln.config.OtlpConfig;
import dev.kiln.server.http.Handler;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.ExemplarException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/otlp/v1/metrics}: Prometheus 3's OTLP receiver. The body (protobuf or JSON,
 * optionally gzip) is decoded and translated completely before anything is appended; an
 * unreadable body is a 400 and changes nothing. Metrics that translation leaves out (delta
 * temporality, invalid names) are logged and counted and the rest is
 * written, as Prometheus 3.5 does. The samples are appended in one batch through the same
 * {@link Appendable} as remote write: a sample the storage rejects (out of order, duplicate, too
 * far in the future) rolls the whole request back and answers 400, so the sender does not retry.
 * Exemplars are appended after their series' samples; one the storage rejects is logged and
 * skipped. Success is 200 with an empty body.
 */
public final class OtlpHandler implements Handler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OtlpHandler.class);

  /** Samples further in the future than this are out of bounds, as in Prometheus. */
  static final long MAX_FUTURE_MILLIS = 10 * 60_000L;

  private final Appendable storage;
  private final Clock clock;
  private final Supplier<OtlpConfig> config;
  private final long lookbackDeltaMillis;
  private final OtlpStats stats;
  private final OtlpRequestDecoder decoder;

  /**
   * @param config the current {@code otlp} section (read per request, so reloads apply)
   * @param lookbackDeltaMillis {@code --query.lookback-delta}; spaces the {@code target_info} samples
   * @param maxBodyBytes the largest body accepted after gunzip
   */
  public OtlpHandler(Appendable storage, Clock clock, Supplier<OtlpConfig> config, long lookbackDeltaMillis, OtlpStats stats,
      long maxBodyBytes) {
    this.storage = storage;
    this.clock = clock;
    this.config = config;
    this.lookbackDeltaMillis = lookbackDeltaMillis;
    this.stats = stats;
    this.decoder = new OtlpRequestDecoder(maxBodyBytes);
  }

  @Override
  public Response handle(Request r) {
    ExportMetricsServiceRequest req;
    try {
      req = decoder.decode(r.header("content-type"), r.header("content-encoding"), r.body());
    } catch (InvalidOtlpException e) {
      stats.badRequest();
      LOG.error("Error decoding OTLP write request: {}", e.getMessage());
      return Response.text(400, e.getMessage() + "\n");
    }
    OtlpConfig cfg = config.get();
    Translation t = new OtlpTranslator(cfg, lookbackDeltaMillis).translate(req);
    stats.translated(t);
    if (!t.errors().isEmpty()) {
      LOG.warn("Error translating OTLP metrics to Prometheus write request: {}", String.join("; ", t.errors()));
    }
    return append(t);
  }

  private Response append(Translation t) {
    long maxT = clock.millis() + MAX_FUTURE_MILLIS;
    Appender app = storage.appender();
    boolean ok = false;
    Labels current = null;
    long exemplars = 0;
    try {
      for (Map.Entry<Labels, Translation.Samples> e : t.series().entrySet()) {
        current = e.getKey();
        Translation.Samples s = e.getValue();
        long ref = 0;
        for (int i = 0; i < s.size(); i++) {
          if (s.timestamp(i) > maxT) {
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, null);
          }
          ref = app.append(ref, current, s.timestamp(i), s.value(i));
        }
        exemplars += appendExemplars(app, ref, current, s.exemplars());
      }
      for (Map.Entry<Labels, Translation.HistogramSamples> e : t.histogramSeries().entrySet()) {
        current = e.getKey();
        Translation.HistogramSamples s = e.getValue();
        long ref = 0;
        for (int i = 0; i < s.size(); i++) {
          if (s.timestamp(i) > maxT) {
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, null);
          }
          ref = app.appendHistogram(ref, current, s.timestamp(i), s.histogram(i), null, AppendOptions.NONE);
        }
        exemplars += appendExemplars(app, ref, current, s.exemplars());
      }
      app.commit();
      ok = true;
      stats.written(t.samples(), t.histograms());
      stats.exemplars(exemplars, t.exemplars() - exemplars);
      return Response.empty(200);
    } catch (AppendException e) {
      stats.requestRejected();
      String msg = e.getMessage() + " for series " + current;
      LOG.error("Error appending OTLP samples: {}", msg);
      return Response.text(400, msg + "\n");
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
  }

  /**
   * Appends a series' exemplars after its samples, as Prometheus's write handler does with the
   * translated request: an exemplar the storage rejects (out of order, labels too long) is logged
   * and skipped, never failing the request; one the storage drops (disabled, a duplicate) is not
   * counted. Returns how many were taken.
   */
  private static long appendExemplars(Appender app, long ref, Labels series, List<Exemplar> exemplars) {
    long taken = 0;
    for (Exemplar e : exemplars) {
      try {
        if (app.appendExemplar(ref, series, e) != 0) {
          taken++;
        }
      } catch (ExemplarException | AppendException ex) {
        LOG.debug("Error while adding exemplar {} of {}: {}", e, series, ex.getMessage());
      }
    }
    return taken;
  }
}
