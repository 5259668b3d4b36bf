package dev.kiln.tsdb.storage;

/**
 * Iterates over a series' samples in increasing time order. Single-thread; not restartable.
 * Before the first {@link #next()} or {@link #seek(long)} it is positioned before the first sample.
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

  /** Value of the current sample (raw NaN bits preserved). */
  double atV();

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
