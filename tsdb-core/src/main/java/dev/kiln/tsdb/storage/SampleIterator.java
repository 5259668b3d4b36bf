package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;

/**
 * Iterates over a series' samples in increasing time order. Single-thread; not restartable.
 * Before the first {@link #next()} or {@link #seek(long)} it is positioned before the first sample.
 *
 * <p>A series may mix float and histogram samples; {@code next()} and {@code seek()} say which
 * kind the iterator is on. Floats are read through the primitive {@link #atV()}, so the float path
 * allocates nothing per sample; histograms through {@link #atHistogram} / {@link
 * #atFloatHistogram}, which may write into a caller-supplied instance.
 */
public interface SampleIterator {
  /** Advances to the next sample; returns {@link ValueType#NONE} when exhausted. */
  ValueType next();

  /**
   * Advances to the first sample with timestamp {@code >= t}. If the iterator is already on such
   * a sample it does not move. Returns {@link ValueType#NONE} when no such sample exists.
   */
  ValueType seek(long t);

  /** Timestamp in milliseconds of the current sample. */
  long atT();

  /** Value of the current sample (raw NaN bits preserved). Only on a FLOAT sample. */
  double atV();

  /**
   * Bulk form of {@link #next()} over a run of float samples: advances over the samples after the
   * current one while each is a float with timestamp {@code <= maxt}, at most {@code len} of them,
   * writing their timestamps to {@code ts[off..]} and their raw values (NaN bits preserved) to
   * {@code vs[off..]}, and returns how many it read. Afterwards the iterator is on the last sample
   * read, as if {@link #next()} had returned {@link ValueType#FLOAT} that many times.
   *
   * <p>It never moves past a sample it does not return, and it may return fewer samples than
   * qualify, down to 0 (at a chunk boundary, say, or where an implementation does not read in
   * bulk): a caller reads on with {@link #next()}, which then handles the sample that stopped the
   * run. Returns 0 when the iterator is not on a sample (before the first {@code next()} or
   * {@code seek()}, or exhausted). The default reads nothing in bulk.
   */
  default int nextFloats(long maxt, long[] ts, double[] vs, int off, int len) {
    return 0;
  }

  /**
   * The current integer histogram sample (only on {@link ValueType#HISTOGRAM}). The result is
   * owned by the caller: the iterator never changes it later. When {@code reuse} is not null the
   * implementation may overwrite and return it.
   */
  default Histogram atHistogram(Histogram reuse) {
    throw new IllegalStateException("not positioned on an integer histogram sample");
  }

  /**
   * The current histogram sample as a float histogram (on {@link ValueType#HISTOGRAM}, converted,
   * and on {@link ValueType#FLOAT_HISTOGRAM}). Ownership and {@code reuse} as for
   * {@link #atHistogram}.
   */
  default FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    throw new IllegalStateException("not positioned on a histogram sample");
  }

  /** An iterator over nothing. */
  SampleIterator EMPTY =
      new SampleIterator() {
        @Override
        public ValueType next() {
          return ValueType.NONE;
        }

        @Override
        public ValueType seek(long t) {
          return ValueType.NONE;
        }

        @Override
        public long atT() {
          throw new IllegalStateException("empty iterator");
        }

        @Override
        public double atV() {
          throw new IllegalStateException("empty iterator");
        }
      };
}
