package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks hold histogram and float-histogram chunks next to XOR chunks, and read them back. */
class HistogramBlockTest {
  static final long TWO_HOURS = 7_200_000L;
  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % TWO_HOURS);

  @TempDir Path dir;

  /** An exponential histogram that grows by {@code i} observations per step (schema 3). */
  static Histogram histogram(int i) {
    Histogram h = new Histogram();
    h.schema = 3;
    h.zeroThreshold = Math.scalb(1.0, -128);
    h.zeroCount = i;
    h.positiveSpans = new Span[] {new Span(-2, 3), new Span(4, 2)};
    h.positiveBuckets = new long[] {i, i, -i, 2L * i, -i}; // counts i, 2i, i, 3i, 2i
    h.negativeSpans = new Span[] {new Span(0, 1)};
    h.negativeBuckets = new long[] {i};
    h.count = h.zeroCount + 9L * i + i;
    h.sum = 1.5 * i;
    return h;
  }

  static List<ChunkMeta> histogramChunks(long from, int n, long step) {
    List<ChunkMeta> out = new ArrayList<>();
    HistogramAppender app = HistogramAppender.create();
    long min = from;
    long t = from;
    int k = 0;
    for (int i = 0; i < n; i++, t += step) {
      if (k == 120) {
        out.add(new ChunkMeta(min, t - step, app.chunk()));
        app = HistogramAppender.create();
        min = t;
        k = 0;
      }
      app = app.append(null, t, histogram(i + 1));
      k++;
    }
    out.add(new ChunkMeta(min, t - step, app.chunk()));
    return out;
  }

  static List<ChunkMeta> floatHistogramChunks(long from, int n, long step) {
    FloatHistogramAppender app = FloatHistogramAppender.create();
    long t = from;
    for (int i = 0; i < n; i++, t += step) {
      FloatHistogram fh = histogram(i + 1).toFloat(null);
      fh.counterResetHint = CounterResetHint.GAUGE;
      fh.sum = -0.25 * i;
      app = app.append(null, t, fh);
    }
    return List.of(new ChunkMeta(from, t - step, app.chunk()));
  }

  @Test
  void histogramChunksRoundTripThroughABlock() throws Exception {
    List<BlockSeries> series = new ArrayList<>();
    Labels hl = Labels.of("__name__", "rpc_latency_seconds", "job", "api");
    Labels fl = Labels.of("__name__", "queue_depth", "job", "api");
    Labels xl = Labels.of("__name__", "up", "job", "api");
    XorChunk x = new XorChunk();
    x.append(BASE, 1);
    series.add(new BlockSeries(fl, floatHistogramChunks(BASE, 50, 60_000)));
    series.add(new BlockSeries(hl, histogramChunks(BASE, 300, 15_000)));
    series.add(new BlockSeries(xl, List.of(new ChunkMeta(BASE, BASE, x))));
    series.sort((a, b) -> a.labels().compareTo(b.labels()));
    Set<String> symbols = new TreeSet<>();
    for (BlockSeries s : series) {
      s.labels().forEach((n, v) -> { symbols.add(n); symbols.add(v); });
    }
    BlockMeta template = new BlockMeta(Ulid.generate(BASE), BASE, BASE + TWO_HOURS, 0, 0, 0, 0, 1,
        List.of(), List.of(), false);
    BlockMeta meta = BlockWriter.write(FileIo.DEFAULT, dir, template, symbols, series.iterator());
    assertNotNull(meta);
    assertEquals(300 + 50 + 1, meta.numSamples());
    try (Block block = Block.open(FileIo.DEFAULT, dir.resolve(meta.ulid().toString()));
        Querier q = block.querier(BASE, BASE + TWO_HOURS)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("job", "api"));
      int seen = 0;
      while (set.next()) {
        seen++;
        String name = set.at().labels().get("__name__");
        SampleIterator it = set.at().iterator(null);
        int i = 0;
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          switch (name) {
            case "rpc_latency_seconds" -> {
              assertEquals(ValueType.HISTOGRAM, vt);
              assertEquals(BASE + i * 15_000L, it.atT());
              assertEquals(histogram(i + 1), it.atHistogram(null));
            }
            case "queue_depth" -> {
              assertEquals(ValueType.FLOAT_HISTOGRAM, vt);
              FloatHistogram fh = it.atFloatHistogram(null);
              assertEquals(CounterResetHint.GAUGE, fh.counterResetHint);
              assertEquals(-0.25 * i, fh.sum);
              assertEquals(histogram(i + 1).count, fh.count);
            }
            default -> assertEquals(ValueType.FLOAT, vt);
          }
          i++;
        }
        assertEquals(switch (name) { case "rpc_latency_seconds" -> 300; case "queue_depth" -> 50; default -> 1; }, i, name);
      }
      assertEquals(3, seen);
      // Seeking into the middle of the histogram series.
      set = q.select(false, null, LabelMatcher.equal("__name__", "rpc_latency_seconds"));
      set.next();
      SampleIterator it = set.at().iterator(null);
      assertEquals(ValueType.HISTOGRAM, it.seek(BASE + 200 * 15_000L + 1));
      assertEquals(BASE + 201 * 15_000L, it.atT());
      assertEquals(histogram(202), it.atHistogram(null));
    }
  }

  @Test
  void rewritingCutsHistogramChunksToTheRangeAndKeepsTheirEncoding() {
    List<ChunkMeta> chunks = histogramChunks(BASE, 300, 15_000);
    long maxt = BASE + 150 * 15_000L; // inclusive: samples 0..150
    List<ChunkMeta> out = ChunkRewriter.normalise(chunks, BASE + 10 * 15_000L, maxt, List.of());
    int n = 0;
    int i = 10;
    for (ChunkMeta c : out) {
      assertEquals(ChunkEncoding.HISTOGRAM, c.chunk().encoding());
      SampleIterator it = c.chunk().iterator(null);
      while (it.next() == ValueType.HISTOGRAM) {
        assertEquals(BASE + i * 15_000L, it.atT());
        assertEquals(histogram(i + 1), it.atHistogram(null));
        i++;
        n++;
      }
    }
    assertEquals(141, n);
    assertEquals(2, out.size(), "120 samples per chunk");
  }
}
