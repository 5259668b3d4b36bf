package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-encodes a series' samples into chunks as Prometheus's {@code storage/series.go} {@code
 * seriesToChunkEncoder} does: a new chunk when the sample type changes or the chunk holds {@value
 * #SAMPLES_PER_CHUNK} samples, and wherever a histogram appender cuts (counter reset, schema
 * change) or recodes. Single use, single thread.
 */
final class ChunkEncoder {
  static final int SAMPLES_PER_CHUNK = 120;

  private final List<ChunkMeta> out = new ArrayList<>();
  private ValueType type = ValueType.NONE;
  private XorChunk xor;
  private HistogramAppender hist;
  private FloatHistogramAppender floatHist;
  private int n;
  private long minT;
  private long maxT;

  /** Adds the sample {@code it} is on, of type {@code vt}. */
  void add(SampleIterator it, ValueType vt) {
    long t = it.atT();
    if (vt != type || n >= SAMPLES_PER_CHUNK) {
      flush();
      type = vt;
      switch (vt) {
        case FLOAT -> xor = new XorChunk();
        case HISTOGRAM -> hist = HistogramAppender.create();
        case FLOAT_HISTOGRAM -> floatHist = FloatHistogramAppender.create();
        default -> throw new IllegalArgumentException("no sample: " + vt);
      }
      minT = t;
    }
    switch (vt) {
      case FLOAT -> xor.append(t, it.atV());
      case HISTOGRAM -> {
        HistogramAppender next = hist.append(null, t, it.atHistogram(null));
        if (next != hist) {
          if (!next.recoded()) {
            flush();
            minT = t;
          }
          hist = next;
        }
      }
      default -> {
        FloatHistogramAppender next = floatHist.append(null, t, it.atFloatHistogram(null));
        if (next != floatHist) {
          if (!next.recoded()) {
            flush();
            minT = t;
          }
          floatHist = next;
        }
      }
    }
    n++;
    maxT = t;
  }

  private void flush() {
    Chunk c = switch (type) {
      case FLOAT -> xor;
      case HISTOGRAM -> hist.chunk();
      case FLOAT_HISTOGRAM -> floatHist.chunk();
      default -> null;
    };
    if (c != null && c.numSamples() > 0) {
      out.add(new ChunkMeta(minT, maxT, c));
    }
    n = 0;
  }

  /** The chunks of all samples added. */
  List<ChunkMeta> finish() {
    flush();
    type = ValueType.NONE;
    return out;
  }
}
