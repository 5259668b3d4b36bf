package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.HistogramChunk;

/**
 * The open (newest) chunk of a head series while it holds native histograms: the chunk appender
 * (integer or float) and Prometheus's cutting state ({@code nextAt} and whether the end time has
 * been predicted, {@code histogramChunkHasComputedEndTime} in {@code head_append.go}). Guarded by
 * the series lock.
 */
final class OpenHistogramChunk {
  /** Prometheus's {@code chunkenc.TargetBytesPerHistogramChunk}. */
  static final int TARGET_BYTES = 1024;
  /** Prometheus's {@code chunkenc.MinSamplesPerHistogramChunk}. */
  static final int MIN_SAMPLES = 10;

  HistogramAppender app;
  FloatHistogramAppender floatApp;
  long minT;
  long nextAt;
  boolean computedEndTime;

  OpenHistogramChunk(ChunkEncoding encoding, long minT, long nextAt) {
    if (encoding == ChunkEncoding.HISTOGRAM) {
      app = HistogramAppender.create();
    } else {
      floatApp = FloatHistogramAppender.create();
    }
    this.minT = minT;
    this.nextAt = nextAt;
  }

  ChunkEncoding encoding() {
    return app != null ? ChunkEncoding.HISTOGRAM : ChunkEncoding.FLOAT_HISTOGRAM;
  }

  HistogramChunk chunk() {
    return app != null ? app.chunk() : floatApp.chunk();
  }

  int numSamples() {
    return chunk().numSamples();
  }
}
