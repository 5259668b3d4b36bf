package dev.kiln.server.push;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Durability;
import dev.kiln.tsdb.storage.Exemplar;

/**
 * An {@link Appendable} whose appenders commit with {@link Durability#SYNCED} whatever their
 * caller asks: the push API's ingestion runs through a scrape loop, whose own commits only ask to
 * be written, and pushed data keeps the durability of acknowledged writes. Thread-safe as the
 * storage it wraps.
 */
final class SyncedCommits implements Appendable {
  private final Appendable storage;

  SyncedCommits(Appendable storage) {
    this.storage = storage;
  }

  @Override
  public Appender appender() {
    Appender a = storage.appender();
    return new Appender() {
      @Override
      public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
        return a.append(ref, labels, t, v, options);
      }

      @Override
      public long appendHistogram(long ref, Labels labels, long t, Histogram h, FloatHistogram fh,
          AppendOptions options) {
        return a.appendHistogram(ref, labels, t, h, fh, options);
      }

      @Override
      public long appendExemplar(long ref, Labels labels, Exemplar exemplar) {
        return a.appendExemplar(ref, labels, exemplar);
      }

      @Override
      public void commit(Durability durability) {
        a.commit(Durability.SYNCED);
      }

      @Override
      public void rollback() {
        a.rollback();
      }
    };
  }
}
