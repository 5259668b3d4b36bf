package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact expectations worked out by hand from Prometheus's {@code tsdb/chunkenc/xor.go} and
 * {@code bstream.go}; the derivation of each byte is in the comments.
 */
class XorChunkGoldenTest {

  private static byte[] hex(String s) {
    String[] parts = s.trim().split("\\s+");
    byte[] b = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return b;
  }

  /*
   * s1 t=1000 v=1.0: varint(1000) = zigzag 2000 = D0 0F; value bits 3F F0 00.. (8 bytes). The
   *   whole-byte write ends aligned, so bstream leaves one extra zero byte.
   * s2 t=2000 v=1.0: uvarint(1000) = E8 07 (fills the extra byte, adds another); value equal: '0'.
   * s3 t=3000 v=2.0: dod 0 '0'; xor 7FF0.. lead 1 trail 52: '1' '1' 00001 001011 + 11 ones.
   * s4 t=4010 v=3.0: dod 10: '10' + 00000000001010; xor 0008.. lead 12 trail 51, does not fit
   *   window (51 < 52): '1' '1' 01100 000001 '1'. The stream now ends on a byte boundary after
   *   a single-bit write, so no extra byte follows.
   * s5 t=5010 v=2.0: dod -10: '10' + 11111111110110; same xor fits window: '1' '0' '1'.
   * s6 t=6010 v=2.0: dod 0 '0'; equal value '0'.
   */
  private static final long[] TS = {1000, 2000, 3000, 4010, 5010, 6010};
  private static final double[] VS = {1.0, 1.0, 2.0, 3.0, 2.0, 2.0};
  private static final String[] EXPECTED = {
    "00 01 D0 0F 3F F0 00 00 00 00 00 00 00",
    "00 02 D0 0F 3F F0 00 00 00 00 00 00 E8 07 00",
    "00 03 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF C0",
    "00 04 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF E0 02 B6 03",
    "00 05 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF E0 02 B6 03 BF F6 A0",
    "00 06 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF E0 02 B6 03 BF F6 A0",
  };

  @Test
  void encodesLikePrometheusSampleBySample() {
    XorChunk c = new XorChunk();
    ChunkAppender app = c.appender();
    for (int i = 0; i < TS.length; i++) {
      app.append(TS[i], VS[i]);
      assertArrayEquals(hex(EXPECTED[i]), c.bytes(), "after sample " + (i + 1));
      assertEquals(i + 1, c.numSamples());
    }
    assertDecodes(hex(EXPECTED[5]), TS, VS);
  }

  /*
   * s1 t=0 v=1.0: varint 0 = 00; 3F F0 00.. ; extra zero byte.
   * s2 t=1000 v=bits 3FF0000000000001: E8 07; xor = 1, 63 leading zeros capped at 31, trailing 0,
   *   33 significant bits: '1' '1' 11111 100001 + 32 zeros + '1'.
   * s3 t=2000 v=-1.0 (BFF0000000000000): dod 0 '0'; xor 8000000000000001, lead 0 < 31 so a new
   *   window: '1' '1' 00000, sigbits 64 written as 000000, then the 64 bits.
   */
  @Test
  void capsLeadingZerosAt31AndWrites64SignificantBitsAsZero() {
    long[] ts = {0, 1000, 2000};
    double[] vs = {1.0, Double.longBitsToDouble(0x3FF0000000000001L), -1.0};
    XorChunk c = new XorChunk();
    for (int i = 0; i < ts.length; i++) {
      c.append(ts[i], vs[i]);
    }
    byte[] expected =
        hex(
            "00 03 00 3F F0 00 00 00 00 00 00 E8 07 FF 08 00 00 00 05 80 08 "
                + "00 00 00 00 00 00 00 10");
    assertArrayEquals(expected, c.bytes());
    assertDecodes(expected, ts, vs);
  }

  /* Large gaps use the 17, 20 and 64 bit buckets; their boundaries follow bitRange. */
  @Test
  void bucketBoundariesMatchPrometheusBitRange() {
    assertEquals(true, XorChunk.bitRange(8192, 14));
    assertEquals(false, XorChunk.bitRange(8193, 14));
    assertEquals(true, XorChunk.bitRange(-8191, 14));
    assertEquals(false, XorChunk.bitRange(-8192, 14));
    assertEquals(true, XorChunk.bitRange(65536, 17));
    assertEquals(false, XorChunk.bitRange(65537, 17));
    assertEquals(true, XorChunk.bitRange(524288, 20));
    assertEquals(false, XorChunk.bitRange(524289, 20));
  }

  /*
   * s1 t=0 v=0: varint 00 + 8 zero bytes, then the extra zero byte.
   * s2 t=10: uvarint 0A fills the extra byte; equal value '0'.
   * s3 t=8212 (delta 8202, dod 8192 = top of the 14-bit bucket): '10' 10000000000000, value '0'.
   * s4 t=16415 (delta 8203, dod 1): '10' 00000000000001, value '0'.
   * Bits after 0A: 01010000 00000000 00100000 00000000 010 -> 50 00 20 00 40.
   */
  @Test
  void topOf14BitBucket() {
    long[] ts = {0, 10, 8212, 16415};
    double[] vs = {0, 0, 0, 0};
    XorChunk c = new XorChunk();
    for (int i = 0; i < ts.length; i++) {
      c.append(ts[i], vs[i]);
    }
    byte[] expected = hex("00 04 00 00 00 00 00 00 00 00 00 0A 50 00 20 00 40");
    assertArrayEquals(expected, c.bytes());
    assertDecodes(expected, ts, vs);
  }

  private static void assertDecodes(byte[] bytes, long[] ts, double[] vs) {
    SampleIterator it = XorChunk.fromBytes(bytes).iterator(null);
    for (int i = 0; i < ts.length; i++) {
      assertEquals(ValueType.FLOAT, it.next());
      assertEquals(ts[i], it.atT());
      assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(it.atV()));
    }
    assertEquals(ValueType.NONE, it.next());
  }
}
