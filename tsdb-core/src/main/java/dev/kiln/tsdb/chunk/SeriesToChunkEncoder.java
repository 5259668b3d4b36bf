package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes one series' samples, given in time order, into TSDB chunks, as Prometheus's
 * {@code storage.seriesToChunkEncoder} does (used for streamed remote read): a new chunk whenever
 * the sample kind changes (XOR for floats, histogram, float histogram) or the chunk holds 120
 * samples, and wherever the histogram appender cuts (counter reset, schema or zero-threshold
 * change); a chunk the appender re-encoded with a wider bucket layout replaces the one it came
 * from. Single-use, single-thread; histograms passed in are owned by the encoder afterwards.
 */
public final class SeriesToChunkEncoder {
  /** Prometheus's {@code seriesToChunkEncoderSplit}. */
  static final int SPLIT = 120;

  /** One encoded chunk: its encoding, first and last sample time, and its bytes. */
  public record EncodedChunk(ChunkEncoding encoding, long minT, long maxT, byte[] data) {}

  private final List<EncodedChunk> out = new ArrayList<>();
  private final int split;
  private ValueType kind = ValueType.NONE;
  private XorChunk xor;
  private ChunkAppender xorApp;
  private HistogramAppender hApp;
  private FloatHistogramAppender fhApp;
  private long minT;
  private long maxT;
  private int count;

  /** Cuts after Prometheus's 120 samples. */
  public SeriesToChunkEncoder() {
    this(SPLIT);
  }

  /**
   * Cuts after {@code split} samples ({@code Integer.MAX_VALUE}: only where the kind changes or
   * the histogram appender cuts, as Prometheus re-encodes one stored chunk's samples into one).
   */
  public SeriesToChunkEncoder(int split) {
    this.split = split;
  }

  public void appendFloat(long t, double v) {
    before(ValueType.FLOAT, t);
    xorApp.append(t, v);
    after(t);
  }

  public void appendHistogram(long t, Histogram h) {
    before(ValueType.HISTOGRAM, t);
    HistogramAppender next = hApp.append(null, t, h);
    if (next != hApp) {
      if (!next.recoded()) {
        cut(t);
      }
      hApp = next;
    }
    after(t);
  }

  public void appendFloatHistogram(long t, FloatHistogram h) {
    before(ValueType.FLOAT_HISTOGRAM, t);
    FloatHistogramAppender next = fhApp.append(null, t, h);
    if (next != fhApp) {
      if (!next.recoded()) {
        cut(t);
      }
      fhApp = next;
    }
    after(t);
  }

  /** The chunks, the last one included; the encoder is done afterwards. */
  public List<EncodedChunk> finish() {
    emit();
    kind = ValueType.NONE;
    return out;
  }

  private void before(ValueType type, long t) {
    if (type == kind && count < split) {
      return;
    }
    emit();
    kind = type;
    minT = t;
    count = 0;
    switch (type) {
      case FLOAT -> {
        xor = new XorChunk();
        xorApp = xor.appender();
      }
      case HISTOGRAM -> hApp = HistogramAppender.create();
      case FLOAT_HISTOGRAM -> fhApp = FloatHistogramAppender.create();
      default -> throw new IllegalStateException("BUG: sample of type " + type);
    }
  }

  /** The appender started a new chunk at {@code t}: the current one is complete. */
  private void cut(long t) {
    emit();
    minT = t;
    count = 0;
  }

  private void after(long t) {
    maxT = t;
    count++;
  }

  private void emit() {
    switch (kind) {
      case FLOAT -> {
        if (xor.numSamples() > 0) {
          out.add(new EncodedChunk(ChunkEncoding.XOR, minT, maxT, xor.bytes()));
        }
      }
      case HISTOGRAM -> {
        if (hApp.numSamples() > 0) {
          out.add(new EncodedChunk(ChunkEncoding.HISTOGRAM, minT, maxT, hApp.chunk().bytes()));
        }
      }
      case FLOAT_HISTOGRAM -> {
        if (fhApp.numSamples() > 0) {
          out.add(new EncodedChunk(ChunkEncoding.FLOAT_HISTOGRAM, minT, maxT, fhApp.chunk().bytes()));
        }
      }
      default -> {
      }
    }
  }
}
