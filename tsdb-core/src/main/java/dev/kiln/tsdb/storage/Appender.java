package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;

/**
 * A single-use, single-thread batch of samples. Nothing is visible to readers until
 * {@link #commit()} returns; {@link #rollback()} discards the batch. After either call the
 * appender must not be used again.
 *
 * <p>Samples of one series must be appended in increasing time order. A sample rejected for what
 * it is (out of order, duplicate timestamp with another value, too old) throws
 * {@link AppendException} from {@code append} and is not part of the batch; the rest of the batch
 * is unaffected.
 */
public interface Appender {
  /**
   * Adds a sample to the batch.
   *
   * @param ref a series reference returned by an earlier {@code append} on the same storage, or 0
   *     when unknown; a stale or wrong ref is not an error as long as {@code labels} is given
   * @param labels the series' labels; may be {@code null} only when {@code ref} is valid
   * @param timestampMillis sample time in milliseconds since the epoch
   * @param value sample value; NaN bit patterns (including the staleness marker) are preserved
   * @return the series reference to pass next time for the same series
   * @throws AppendException when the sample is rejected; when {@code labels} is null and the
   *     storage does not (or no longer) know {@code ref}, with reason {@code INVALID_LABELS} and
   *     the batch unchanged, so the caller can retry with the labels
   */
  long append(long ref, Labels labels, long timestampMillis, double value, AppendOptions options);

  /** Same as {@link #append(long, Labels, long, double, AppendOptions)} with no options. */
  default long append(long ref, Labels labels, long timestampMillis, double value) {
    return append(ref, labels, timestampMillis, value, AppendOptions.NONE);
  }

  /**
   * Adds a native-histogram sample: exactly one of {@code h} (integer counts) and {@code fh}
   * (float counts) is non-null. The appender takes ownership of the histogram; the caller must not
   * change it afterwards. A stale marker is a histogram whose sum is the stale NaN. Reference and
   * label rules as for {@link #append(long, Labels, long, double, AppendOptions)}.
   *
   * @throws AppendException when the sample is rejected, including storages that do not store
   *     native histograms (reason {@code UNSUPPORTED})
   */
  default long appendHistogram(
      long ref, Labels labels, long timestampMillis, Histogram h, FloatHistogram fh, AppendOptions options) {
    throw new AppendException(AppendException.Reason.UNSUPPORTED, "native histograms are not supported by this storage");
  }

  /**
   * Adds an exemplar of a series to the batch, stored at commit after the batch's samples (as
   * Prometheus's {@code AppendExemplar}). The series must exist in the storage or have a sample
   * earlier in this batch. Storages without exemplar storage, or with it sized 0, drop it and
   * return 0, as does a duplicate of the series' newest exemplar.
   *
   * @return the series reference, or 0 when the exemplar was dropped
   * @throws ExemplarException when the exemplar is rejected (unknown series, label length, out of
   *     order); the batch is unaffected
   */
  default long appendExemplar(long ref, Labels labels, Exemplar exemplar) {
    return 0;
  }

  /**
   * Makes the batch durable as {@code durability} asks, then visible. Returns only after the batch
   * is written to the write-ahead log (and, for {@link Durability#SYNCED} with a WAL fsync interval
   * of 0, fsynced). A storage may make a commit more durable than asked, never less.
   *
   * @throws StorageException when the batch could not be made durable; nothing of it is applied
   */
  void commit(Durability durability);

  /** Same as {@link #commit(Durability)} with {@link Durability#SYNCED}. */
  default void commit() {
    commit(Durability.SYNCED);
  }

  /** Discards the batch. */
  void rollback();
}
