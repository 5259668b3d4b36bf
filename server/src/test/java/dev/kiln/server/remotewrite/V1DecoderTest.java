package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cases of the 1.0 decoder the randomized equivalence test does not reach. */
class V1DecoderTest {
  /** The body at the start of a larger array, as the decompressor leaves it. */
  private static byte[] padded(byte[] b) {
    return java.util.Arrays.copyOf(b, b.length + 7);
  }

  private static void decode(V1Decoder d, byte[] body, DecodedBatch b, KeyScratch keys) throws InvalidWriteException {
    d.decode(padded(body), body.length, b, keys);
  }

  private static TimeSeries series() {
    return TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("node_cpu_seconds_total"))
        .addLabels(Label.newBuilder().setName("instance").setValue("host:9100"))
        .addLabels(Label.newBuilder().setName("utf8").setValue("naïve ☺")).build();
  }

  private static String key(DecodedBatch b, int i) {
    return java.util.HexFormat.of().formatHex(b.keyBuffer[i], b.keyOffset[i], b.keyOffset[i] + b.keyLength[i]);
  }

  @Test
  void labelsInterleavedWithSamplesGiveTheSameKeyAndLabels() throws Exception {
    TimeSeries ts = series();
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
    r.writeByteArray(1, WriteRequest.newBuilder().addTimeseries(ts).build().getTimeseries(0).toByteArray());
    r.flush();
    V1Decoder decoder = new V1Decoder(new SeriesRefCache(1024, 1 << 20));
    DecodedBatch b = new DecodedBatch();
    decode(decoder, req.toByteArray(), b, new KeyScratch());
    assertEquals(2, b.size);
    assertEquals(key(b, 1), key(b, 0));
    assertEquals(b.keyHash[1], b.keyHash[0]);
    assertEquals(b.labels[1], b.labels[0]);
    assertEquals(ts.getLabelsCount() + 1, b.sampleCount[0]);
  }

  @Test
  void knownSeriesAreReturnedByReferenceWithoutLabels() throws Exception {
    SeriesRefCache cache = new SeriesRefCache(1024, 1 << 20);
    V1Decoder decoder = new V1Decoder(cache);
    byte[] body = WriteRequest.newBuilder().addTimeseries(series()).build().toByteArray();
    DecodedBatch b = new DecodedBatch();
    KeyScratch keys = new KeyScratch();
    decode(decoder, body, b, keys);
    assertNotNull(b.labels[0]);
    assertEquals(0, b.ref[0]);
    cache.put(b.keyHash[0], b.keyBuffer[0], b.keyOffset[0], b.keyLength[0], 77);
    decode(decoder, body, b, keys);
    assertEquals(77, b.ref[0]);
    assertNull(b.labels[0]);
  }

  private static byte[] nested(int field, byte[] message) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(field, message);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] label(String name, byte[] value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, name);
    out.writeByteArray(2, value);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void invalidLabelsMarkTheSeriesAndGarbageIsRejectedCleanly() throws Exception {
    V1Decoder decoder = new V1Decoder(new SeriesRefCache(1024, 1 << 20));
    DecodedBatch b = new DecodedBatch();
    KeyScratch keys = new KeyScratch();
    decode(decoder, nested(1, nested(1, label("__name__", new byte[] {'a', (byte) 0xff}))), b, keys);
    assertTrue(b.invalid[0].contains("UTF-8"), b.invalid[0]);
    decode(decoder, nested(1, nested(1, label("__name__", new byte[] {'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80}))), b, keys);
    assertTrue(b.invalid[0].contains("UTF-8"), "a surrogate is not UTF-8: " + b.invalid[0]);
    decode(decoder, WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("job").setValue("x"))).build().toByteArray(), b, keys);
    assertTrue(b.invalid[0].contains("missing metric name"));
    Random rnd = new Random(9);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = new byte[rnd.nextInt(64)];
      rnd.nextBytes(garbage);
      try {
        decode(decoder, garbage, b, keys);
      } catch (InvalidWriteException expected) {
        assertTrue(expected.getMessage().startsWith("proto unmarshal error: "), expected.getMessage());
      }
    }
  }

  @Test
  void unknownGroupsAreSkipped() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(7, 3);
    out.writeTag(8, 3);
    out.writeUInt64(1, 5);
    out.writeTag(8, 4);
    out.writeTag(7, 4);
    out.writeMessage(1, series());
    out.flush();
    V1Decoder decoder = new V1Decoder(new SeriesRefCache(1024, 1 << 20));
    DecodedBatch b = new DecodedBatch();
    decode(decoder, bytes.toByteArray(), b, new KeyScratch());
    assertEquals(1, b.size);
    assertEquals(WriteRequest.parseFrom(bytes.toByteArray()).getTimeseries(0).getLabels(0).getValue(),
        b.labels[0].get("__name__"));
  }
}
