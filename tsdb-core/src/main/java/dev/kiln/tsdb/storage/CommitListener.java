package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;

/**
 * Told about every batch of float samples a database commits, right after the batch is in the
 * write-ahead log and before the appender returns: the feed of remote write senders (register
 * with {@code Db.addCommitListener}; the head calls it). Called on
 * the committing thread, possibly from several threads at once; it must be quick (copy what it
 * needs and return) and must not throw. The batch is valid only during the call.
 */
@FunctionalInterface
public interface CommitListener {
  /**
   * The samples of one committed batch, in append order: float samples ({@link #size()} of them)
   * and, apart, native-histogram samples ({@link #histogramCount()}). Histograms belong to the
   * head: a listener that keeps one copies it.
   */
  interface Batch {
    int size();

    Labels labels(int i);

    long timestamp(int i);

    double value(int i);

    /** The number of native-histogram samples. */
    default int histogramCount() {
      return 0;
    }

    default Labels histogramLabels(int i) {
      throw new IndexOutOfBoundsException(i);
    }

    default long histogramTimestamp(int i) {
      throw new IndexOutOfBoundsException(i);
    }

    /** Histogram sample {@code i} when it is an integer histogram, else null. */
    default Histogram histogram(int i) {
      throw new IndexOutOfBoundsException(i);
    }

    /** Histogram sample {@code i} when it is a float histogram, else null. */
    default FloatHistogram floatHistogram(int i) {
      throw new IndexOutOfBoundsException(i);
    }
  }

  void committed(Batch batch);
}
