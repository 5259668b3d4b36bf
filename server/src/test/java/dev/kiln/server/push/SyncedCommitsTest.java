package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Durability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncedCommitsTest {
  @Test
  void everyCommitAsksForSyncedDurabilityAndReachesTheStorage() {
    InMemoryStorage storage = new InMemoryStorage();
    List<Durability> asked = new ArrayList<>();
    Appendable recording = () -> {
      Appender a = storage.appender();
      return new Appender() {
        @Override
        public long append(long ref, Labels labels, long t, double v, AppendOptions o) {
          return a.append(ref, labels, t, v, o);
        }

        @Override
        public void commit(Durability durability) {
          asked.add(durability);
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    };
    SyncedCommits synced = new SyncedCommits(recording);
    Appender a = synced.appender();
    a.append(0, Labels.of("__name__", "pushed"), 1, 1);
    a.commit(Durability.WRITTEN);
    Appender b = synced.appender();
    b.append(0, Labels.of("__name__", "pushed"), 2, 2);
    b.commit();
    assertEquals(List.of(Durability.SYNCED, Durability.SYNCED), asked);
    int samples = 0;
    try (dev.kiln.tsdb.storage.Querier q = storage.querier(0, Long.MAX_VALUE)) {
      dev.kiln.tsdb.storage.SeriesSet set = q.select(false, null, dev.kiln.tsdb.model.LabelMatcher.equal("__name__", "pushed"));
      while (set.next()) {
        dev.kiln.tsdb.storage.SampleIterator it = set.at().iterator(null);
        while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
          samples++;
        }
      }
    }
    assertEquals(2, samples);
  }
}
