package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.server.http.Request;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Series known by cached reference keep working when the storage forgets that reference. */
class RemoteWriteSeriesCacheTest {
  /** A storage whose references expire when {@link #forget()} is called, as a head drops series. */
  static final class ForgetfulStorage implements Appendable {
    final InMemoryStorage inner = new InMemoryStorage();
    long epoch = 1;
    int appendsByRef;

    void forget() {
      epoch++;
    }

    @Override
    public Appender appender() {
      Appender a = inner.appender();
      return new Appender() {
        @Override
        public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
          if (labels == null) {
            if (ref >>> 32 != epoch) {
              throw new AppendException(AppendException.Reason.INVALID_LABELS, "unknown series ref " + ref);
            }
            appendsByRef++;
          }
          long innerRef = a.append(labels == null ? ref & 0xffffffffL : 0, labels, t, v, options);
          return epoch << 32 | innerRef;
        }

        @Override
        public void commit(dev.kiln.tsdb.storage.Durability durability) {
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    }
  }

  private static byte[] request(long t) throws Exception {
    WriteRequest wr = WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("up"))
        .addLabels(Label.newBuilder().setName("job").setValue("api"))
        .addSamples(Sample.newBuilder().setTimestamp(t).setValue(1))
        .addSamples(Sample.newBuilder().setTimestamp(t + 1).setValue(2))).build();
    return Snappy.compress(wr.toByteArray());
  }

  private static int post(RemoteWriteHandler h, byte[] body) {
    return h.handle(new Request("POST", "/api/v1/write", Map.of(),
        Map.of("content-type", "application/x-protobuf"), body)).status();
  }

  @Test
  void staleReferencesFallBackToLabels() throws Exception {
    ForgetfulStorage storage = new ForgetfulStorage();
    RemoteWriteHandler h = new RemoteWriteHandler(storage, Clock.systemUTC(), new RemoteWriteStats());
    long t = System.currentTimeMillis() - 60_000;
    assertEquals(204, post(h, request(t)));
    assertEquals(0, storage.appendsByRef);
    assertEquals(204, post(h, request(t + 10)));
    assertEquals(2, storage.appendsByRef, "the second request finds the series by its cached reference");
    storage.forget();
    assertEquals(204, post(h, request(t + 20)));
    assertEquals(204, post(h, request(t + 30)));
    assertEquals(4, storage.appendsByRef, "after a stale reference the new one is cached");
    int samples = 0;
    try (Querier q = storage.inner.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", "up"));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
          samples++;
        }
      }
    }
    assertEquals(8, samples);
  }
}
