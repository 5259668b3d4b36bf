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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cases of the 1.0 decoder the randomized equivalence test does not reach. */
class V1DecoderTest {
  private static ByteBuffer direct(byte[] b) {
    ByteBuffer buf = ByteBuffer.allocateDirect(b.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(b).flip();
    return buf;
  }

  private static TimeSeries series() {
    return TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("node_cpu_seconds_total"))
        .addLabels(Label.newBuilder().setName("instance").setValue("host:9100"))
        .addLabels(Label.newBuilder().setName("utf8").setValue("naïve ☺")).build();
  }

  private static String key(DecodedBatch b, int i) {
    byte[] k = new byte[b.keyLength[i]];
    b.keyBuffer[i].get(b.keyOffset[i], k);
    return java.util.HexFormat.of().formatHex(k);
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
    decoder.decode(direct(req.toByteArray()), b, new KeyScratch());
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
    ByteBuffer body = direct(WriteRequest.newBuilder().addTimeseries(series()).build().toByteArray());
    DecodedBatch b = new DecodedBatch();
    KeyScratch keys = new KeyScratch();
    decoder.decode(body, b, keys);
    assertNotNull(b.labels[0]);
    assertEquals(0, b.ref[0]);
    cache.put(b.keyHash[0], b.keyBuffer[0], b.keyOffset[0], b.keyLength[0], 77);
    decoder.decode(body, b, keys);
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
    decoder.decode(direct(nested(1, nested(1, label("__name__", new byte[] {'a', (byte) 0xff})))), b, keys);
    assertTrue(b.invalid[0].contains("UTF-8"), b.invalid[0]);
    decoder.decode(direct(nested(1, nested(1, label("__name__", new byte[] {'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80})))), b, keys);
    assertTrue(b.invalid[0].contains("UTF-8"), "a surrogate is not UTF-8: " + b.invalid[0]);
    decoder.decode(direct(WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("job").setValue("x"))).build().toByteArray()), b, keys);
    assertTrue(b.invalid[0].contains("missing metric name"));
    Random rnd = new Random(9);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = new byte[rnd.nextInt(64)];
      rnd.nextBytes(garbage);
      try {
        decoder.decode(direct(garbage), b, keys);
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
    decoder.decode(direct(bytes.toByteArray()), b, new KeyScratch());
    assertEquals(1, b.size);
    assertEquals(WriteRequest.parseFrom(bytes.toByteArray()).getTimeseries(0).getLabels(0).getValue(),
        b.labels[0].get("__name__"));
  }
}
