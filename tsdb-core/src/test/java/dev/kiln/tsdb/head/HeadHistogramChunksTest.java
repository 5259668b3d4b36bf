package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.chunk.CounterResetHeader;
import dev.kiln.tsdb.chunk.HistogramChunk;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How the head cuts native-histogram chunks and marks their counter-reset headers, as Prometheus
 * 3.x's {@code histogramsAppendPreprocessor} and chunk appenders do: chunks are cut by size (a
 * 1 KiB target, at least 10 samples, never past twice the target), not at 120 samples as
 * Prometheus 2.42; a chunk continuing its predecessor says "not a counter reset", one started by a
 * detected reset says "counter reset", and the series' first chunk leaves it unknown.
 */
class HeadHistogramChunksTest {
  private static final Labels L = Labels.of("__name__", "rpc_duration_seconds", "job", "a");
  private static final int N = 480;
  private static final int RESET_AT = 300;

  @Test
  void integerHistogramChunksAreCutBySizeWithContinuationHeaders() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    Random r = new Random(3);
    long[] counts = new long[24];
    for (int i = 0; i < N; i++) {
      if (i == RESET_AT) {
        java.util.Arrays.fill(counts, 0);
      }
      app.appendHistogram(0, L, i * 15_000L, histogram(r, counts), null, AppendOptions.NONE);
    }
    app.commit();
    check(head, 2);
  }

  @Test
  void floatHistogramChunksAreCutBySizeWithContinuationHeaders() {
    Head head = Head.inMemory();
    Appender app = head.appender();
    Random r = new Random(4);
    long[] counts = new long[24];
    for (int i = 0; i < N; i++) {
      if (i == RESET_AT) {
        java.util.Arrays.fill(counts, 0);
      }
      Histogram h = histogram(r, counts);
      FloatHistogram fh = h.toFloat(null);
      fh.sum = h.sum / 3; // not whole
      app.appendHistogram(0, L, i * 15_000L, null, fh, AppendOptions.NONE);
    }
    app.commit();
    check(head, 3);
  }

  private static void check(Head head, int encodingByte) {
    List<ChunkMeta> chunks = new ArrayList<>();
    head.forEachSeriesChunks(Long.MIN_VALUE, Long.MAX_VALUE, sc -> chunks.addAll(sc.chunks()));
    assertTrue(chunks.size() > 4, "chunks: " + chunks.size());
    int total = 0;
    for (int c = 0; c < chunks.size(); c++) {
      HistogramChunk chunk = (HistogramChunk) chunks.get(c).chunk();
      assertEquals(encodingByte, chunk.encoding().code());
      int n = chunk.numSamples();
      long first = chunks.get(c).minTime() / 15_000L;
      CounterResetHeader want = c == 0 ? CounterResetHeader.UNKNOWN
          : first == RESET_AT ? CounterResetHeader.COUNTER_RESET : CounterResetHeader.NOT_COUNTER_RESET;
      assertEquals(want, chunk.counterResetHeader(), "chunk " + c + " from sample " + first);
      boolean last = c == chunks.size() - 1;
      long next = last ? N : chunks.get(c + 1).minTime() / 15_000L;
      boolean endsAtRange = next * 15_000L % 7_200_000L == 0;
      if (!last && next != RESET_AT && !endsAtRange) {
        // Cut by size: at least the minimum sample count, never much past twice the target.
        assertTrue(n >= OpenHistogramChunk.MIN_SAMPLES, "chunk " + c + " holds " + n);
        assertTrue(chunk.length() < 2 * OpenHistogramChunk.TARGET_BYTES + 200, "chunk " + c + " is " + chunk.length() + " B");
      }
      assertTrue(n < 120 || chunk.length() < 2 * OpenHistogramChunk.TARGET_BYTES + 200, "not cut at 120 samples by count");
      total += n;
    }
    assertEquals(N, total);
  }

  /** Adds a few observations to the buckets and returns them as a histogram (schema 3, one span). */
  private static Histogram histogram(Random r, long[] counts) {
    Histogram h = new Histogram();
    h.schema = 3;
    h.zeroThreshold = 0x1p-128;
    long total = 0;
    double sum = 0;
    h.positiveBuckets = new long[counts.length];
    long prev = 0;
    for (int b = 0; b < counts.length; b++) {
      counts[b] += r.nextInt(40);
      total += counts[b];
      sum += counts[b] * Math.pow(2, (b - 40) / 8.0);
      h.positiveBuckets[b] = counts[b] - prev;
      prev = counts[b];
    }
    h.positiveSpans = new Span[] {new Span(-40, counts.length)};
    h.count = total;
    h.sum = sum;
    return h;
  }
}
