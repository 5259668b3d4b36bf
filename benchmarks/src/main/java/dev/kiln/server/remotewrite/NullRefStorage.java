package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A storage that keeps nothing but series references, so a benchmark of the receive path
 * measures decoding and the hand-off, not the head: a label set gets a reference on its first
 * append, a known reference is accepted as is. Thread-safe.
 */
final class NullRefStorage implements Appendable {
  private final ConcurrentHashMap<Labels, Long> refs = new ConcurrentHashMap<>();
  long samples;

  @Override
  public Appender appender() {
    return new Appender() {
      @Override
      public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
        samples++;
        return resolve(ref, labels);
      }

      @Override
      public long appendHistogram(long ref, Labels labels, long t, Histogram h, FloatHistogram fh, AppendOptions options) {
        samples++;
        return resolve(ref, labels);
      }

      @Override
      public void commit(dev.kiln.tsdb.storage.Durability durability) {}

      @Override
      public void rollback() {}
    };
  }

  private long resolve(long ref, Labels labels) {
    if (labels == null) {
      if (ref <= 0 || ref > refs.size()) {
        throw new AppendException(AppendException.Reason.INVALID_LABELS, "unknown series ref " + ref);
      }
      return ref;
    }
    return refs.computeIfAbsent(labels, l -> (long) refs.size() + 1);
  }
}
