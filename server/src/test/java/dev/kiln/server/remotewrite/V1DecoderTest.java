package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.MetricMetadata;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written 1.0 decoder against protobuf-java's encoding of the same requests. */
class V1DecoderTest {
  private static TimeSeries series(Random rnd, int id) {
    TimeSeries.Builder b = TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("node_cpu_seconds_total"))
        .addLabels(Label.newBuilder().setName("mode").setValue(rnd.nextBoolean() ? "idle" : "user"))
        .addLabels(Label.newBuilder().setName("instance").setValue("host-" + id + ":9100"))
        .addLabels(Label.newBuilder().setName("utf8").setValue("naïve ☺ " + id));
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      b.addSamples(Sample.newBuilder().setTimestamp(rnd.nextLong() >> 20).setValue(rnd.nextGaussian()));
    }
    if (rnd.nextInt(10) == 0) {
      b.addSamples(Sample.newBuilder().build());
    }
    return b.build();
  }

  @Test
  void decodesWhatProtobufEncodesWithAndWithoutTheCache() throws Exception {
    Random rnd = new Random(42);
    SeriesRefCache cache = new SeriesRefCache(1 << 16);
    V1Decoder decoder = new V1Decoder(cache);
    for (int round = 0; round < 200; round++) {
      WriteRequest.Builder req = WriteRequest.newBuilder();
      List<TimeSeries> sent = new ArrayList<>();
      for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
        TimeSeries ts = series(rnd, rnd.nextInt(50));
        sent.add(ts);
        req.addTimeseries(ts);
      }
      req.addMetadata(MetricMetadata.newBuilder().setMetricFamilyName("x").setHelp("skipped"));
      List<DecodedSeries> got = decoder.decode(req.build().toByteArray());
      assertEquals(sent.size(), got.size());
      for (int i = 0; i < sent.size(); i++) {
        TimeSeries want = sent.get(i);
        DecodedSeries s = got.get(i);
        assertEquals(expectedLabels(want), s.decodeLabels());
        assertArrayEquals(want.getSamplesList().stream().mapToLong(Sample::getTimestamp).toArray(), s.timestamps);
        assertArrayEquals(want.getSamplesList().stream().mapToDouble(Sample::getValue).toArray(), s.values);
        if (s.cachedRef() == 0) {
          cache.put(s.key1, s.key2, 1000 + i);
        }
      }
    }
    assertTrue(cache.size() > 0);
  }

  private static Labels expectedLabels(TimeSeries ts) {
    String[] pairs = new String[ts.getLabelsCount() * 2];
    for (int i = 0; i < ts.getLabelsCount(); i++) {
      pairs[2 * i] = ts.getLabels(i).getName();
      pairs[2 * i + 1] = ts.getLabels(i).getValue();
    }
    return Labels.of(pairs);
  }

  @Test
  void knownLabelBytesAreReturnedByReferenceWithoutDecoding() throws Exception {
    SeriesRefCache cache = new SeriesRefCache(1 << 16);
    V1Decoder decoder = new V1Decoder(cache);
    byte[] body = WriteRequest.newBuilder().addTimeseries(series(new Random(1), 7)).build().toByteArray();
    DecodedSeries first = decoder.decode(body).get(0);
    assertEquals(0, first.cachedRef());
    cache.put(first.key1, first.key2, 77);
    DecodedSeries again = decoder.decode(body).get(0);
    assertEquals(77, again.cachedRef());
    assertNull(again.labels());
    assertEquals(first.labels(), again.decodeLabels());
  }

  @Test
  void labelsInterleavedWithSamplesGiveTheSameKey() throws Exception {
    TimeSeries ts = series(new Random(3), 1);
    ByteArrayOutputStream interleaved = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(interleaved);
    out.writeMessage(2, Sample.newBuilder().setTimestamp(5).setValue(1).build());
    for (Label l : ts.getLabelsList()) {
      out.writeMessage(1, l);
      out.writeMessage(2, Sample.newBuilder().setTimestamp(6).setValue(2).build());
    }
    out.flush();
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(req);
    r.writeByteArray(1, interleaved.toByteArray());
    r.flush();
    SeriesRefCache cache = new SeriesRefCache(1 << 16);
    V1Decoder decoder = new V1Decoder(cache);
    DecodedSeries odd = decoder.decode(req.toByteArray()).get(0);
    DecodedSeries plain = decoder.decode(WriteRequest.newBuilder().addTimeseries(
        TimeSeries.newBuilder().addAllLabels(ts.getLabelsList())).build().toByteArray()).get(0);
    assertEquals(plain.key1, odd.key1);
    assertEquals(plain.key2, odd.key2);
    assertEquals(plain.labels(), odd.labels());
    assertEquals(ts.getLabelsCount() + 1, odd.timestamps.length);
  }

  private static byte[] label(String name, byte[] value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, name);
    out.writeByteArray(2, value);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] nested(int field, byte[] message) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(field, message);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void invalidInputIsRejectedWithoutOtherExceptions() throws Exception {
    V1Decoder decoder = new V1Decoder(new SeriesRefCache(1024));
    byte[] good = WriteRequest.newBuilder().addTimeseries(series(new Random(5), 3)).build().toByteArray();
    for (int cut = 1; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      try {
        decoder.decode(truncated);
      } catch (InvalidWriteException expected) {
        // Truncations that end on a field boundary may decode; all others must be rejected cleanly.
      }
    }
    Random rnd = new Random(9);
    for (int i = 0; i < 2000; i++) {
      byte[] garbage = new byte[rnd.nextInt(64)];
      rnd.nextBytes(garbage);
      try {
        decoder.decode(garbage);
      } catch (InvalidWriteException expected) {
        // Rejected: fine.
      }
    }
    byte[] badUtf8 = nested(1, nested(1, label("__name__", new byte[] {'a', (byte) 0xff})));
    assertTrue(decoder.decode(badUtf8).get(0).invalidReason().contains("UTF-8"), "a series with invalid UTF-8 is skipped");
    byte[] noName = WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("job").setValue("x"))).build().toByteArray();
    assertTrue(decoder.decode(noName).get(0).invalidReason().contains("missing metric name"));
  }
}
