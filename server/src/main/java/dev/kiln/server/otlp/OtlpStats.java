package dev.kiln.server.otlp;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the OTLP receiver, rendered for {@code /metrics}. Thread-safe. */
public final class OtlpStats {
  private final LongAdder written = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder metricsDropped = new LongAdder();
  private final LongAdder invalidLabels = new LongAdder();
  private final LongAdder histograms = new LongAdder();
  private final LongAdder badRequests = new LongAdder();
  private final LongAdder exemplars = new LongAdder();
  private final LongAdder exemplarsDropped = new LongAdder();

  void exemplars(long stored, long dropped) {
    exemplars.add(stored);
    exemplarsDropped.add(dropped);
  }

  void written(long samples, long histogramSamples) {
    written.add(samples);
    histograms.add(histogramSamples);
  }

  void requestRejected() {
    rejected.increment();
  }

  void translated(Translation t) {
    metricsDropped.add(t.errors().size() - (t.invalidSeriesSamples() > 0 ? 1 : 0));
    invalidLabels.add(t.invalidSeriesSamples());
  }

  void badRequest() {
    badRequests.increment();
  }

  /** Samples written through the receiver. */
  public long samplesWritten() {
    return written.sum();
  }

  /** The families in text format 0.0.4. */
  public String metricsText() {
    StringBuilder sb = new StringBuilder();
    family(sb, "kiln_otlp_samples_written_total", "Samples written through the OTLP receiver.", written.sum());
    family(sb, "kiln_otlp_requests_rejected_total",
        "OTLP requests rolled back because the storage rejected a sample (out of order, duplicate, out of bounds).", rejected.sum());
    family(sb, "kiln_otlp_metrics_dropped_total",
        "OTLP metrics left out by translation (delta or unspecified temporality, no data points, invalid name, scale below -4).",
        metricsDropped.sum());
    family(sb, "kiln_otlp_samples_invalid_labels_total", "OTLP samples left out because their translated labels were invalid.",
        invalidLabels.sum());
    family(sb, "kiln_otlp_histograms_written_total", "Native-histogram samples written through the OTLP receiver.", histograms.sum());
    family(sb, "kiln_otlp_exemplars_written_total", "Exemplars the OTLP receiver appended to the storage.", exemplars.sum());
    family(sb, "kiln_otlp_exemplars_dropped_total",
        "OTLP exemplars of written series not stored (exemplar storage off or full of newer ones, duplicate, out of order, labels too long).",
        exemplarsDropped.sum());
    family(sb, "kiln_otlp_bad_requests_total", "OTLP requests rejected as unreadable (content type, encoding, malformed body).",
        badRequests.sum());
    return sb.toString();
  }

  private static void family(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(v).append('\n');
  }
}
