package dev.kiln.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonOutTest {
  @Test
  void timestampsAreSecondsWithThreeDigits() {
    JsonOut out = new JsonOut().beginArray();
    for (long t : new long[] {1435781451781L, 1500, 2000, -1500, -500, 5, -1, 0, 1435781451001L}) {
      out.timestamp(t);
    }
    assertEquals("[1435781451.781,1.500,2,-1.500,-0.500,0.005,-0.001,0,1435781451.001]", out.endArray().toString());
  }

  @Test
  void samplePairsAndNumbers() {
    JsonOut out = new JsonOut().beginArray().samplePair(1500, 0.1).samplePair(2000, -3).samplePair(1, Double.NaN)
        .samplePair(1, Double.NEGATIVE_INFINITY).samplePair(1, 1e-7).samplePair(1, 1e21).number(2.5).number(Double.NaN)
        .value(Long.MIN_VALUE).value(-42).value(0).value(true).nullValue().endArray();
    assertEquals("[[1.500,\"0.1\"],[2,\"-3\"],[0.001,\"NaN\"],[0.001,\"-Inf\"],[0.001,\"1e-07\"],[0.001,\"1e+21\"],2.5,\"NaN\","
        + "-9223372036854775808,-42,0,true,null]", out.toString());
  }

  @Test
  void stringsAreEscapedAsGoDoesAndEncodedAsUtf8() {
    JsonOut out = new JsonOut().beginObject().name("a\"b").value("<x>&\\\n\t\r\u0001 é \u2028 \uD83D\uDE00").name("plain")
        .value("job").endObject();
    String want = "{\"a\\\"b\":\"\\u003cx\\u003e\\u0026\\\\\\n\\t\\r\\u0001 é \\u2028 \uD83D\uDE00\",\"plain\":\"job\"}";
    assertEquals(want, out.toString());
    assertEquals(want, new String(out.toBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void growsPastTheInitialBuffer() {
    JsonOut out = new JsonOut().beginArray();
    StringBuilder want = new StringBuilder("[");
    for (int i = 0; i < 5000; i++) {
      out.samplePair(i * 15_000L + 7, i / 3.0);
      want.append(i == 0 ? "" : ",").append('[').append(i * 15 + (i == 0 ? 0 : 0)).append('.').append("007")
          .append(",\"").append(dev.kiln.tsdb.model.GoFloats.format(i / 3.0, dev.kiln.tsdb.model.GoFloats.Notation.API_VALUE))
          .append("\"]");
    }
    assertEquals(want.append(']').toString(), out.endArray().toString());
  }
}
