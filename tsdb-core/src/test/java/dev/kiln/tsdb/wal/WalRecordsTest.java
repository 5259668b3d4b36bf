package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalRecordsTest {
  private static byte[] hex(String s) {
    String[] parts = s.trim().split("\\s+");
    byte[] b = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return b;
  }

  /** Layouts from Prometheus's tsdb/record: type byte, big-endian bases, varint deltas. */
  @Test
  void encodesPrometheusLayout() {
    assertArrayEquals(
        hex("01 00 00 00 00 00 00 00 07 01 01 61 02 62 63"),
        WalRecords.encodeSeries(List.of(new WalRecords.SeriesRecord(7, Labels.of("a", "bc")))));
    // base ref 5, base t 1000; second sample ref 6 (+1 -> zigzag 02), t 1015 (+15 -> 1E)
    assertArrayEquals(
        hex(
            "02 00 00 00 00 00 00 00 05 00 00 00 00 00 00 03 E8 "
                + "00 00 3F F0 00 00 00 00 00 00 "
                + "02 1E 7F F0 00 00 00 00 00 02"),
        WalRecords.encodeSamples(
            new long[] {5, 6}, new long[] {1000, 1015}, new double[] {1.0, StaleNaN.VALUE}, 2));
    // ref 9, mint -1 (zigzag 01), maxt 64 (zigzag 128 = 80 01)
    assertArrayEquals(
        hex("03 00 00 00 00 00 00 00 09 01 80 01"),
        WalRecords.encodeTombstones(List.of(new WalRecords.Tombstone(9, -1, 64))));
  }

  @Test
  void randomRecordsRoundTrip() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random r = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int n = r.nextInt(50);
      long[] refs = new long[n];
      long[] ts = new long[n];
      double[] vs = new double[n];
      for (int i = 0; i < n; i++) {
        refs[i] = r.nextInt(3) == 0 ? r.nextLong() >>> 1 : r.nextInt(1000);
        ts[i] = r.nextLong() >> r.nextInt(64);
        vs[i] = Double.longBitsToDouble(r.nextLong());
      }
      List<long[]> got = new ArrayList<>();
      WalRecords.decodeSamples(
          WalRecords.encodeSamples(refs, ts, vs, n),
          (ref, t, v) -> got.add(new long[] {ref, t, Double.doubleToRawLongBits(v)}));
      assertEquals(n, got.size(), "seed=" + seed);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(
            new long[] {refs[i], ts[i], Double.doubleToRawLongBits(vs[i])}, got.get(i), "seed=" + seed);
      }
    }
    List<WalRecords.SeriesRecord> series =
        List.of(
            new WalRecords.SeriesRecord(1, Labels.of("__name__", "up", "job", "日本")),
            new WalRecords.SeriesRecord(Long.MAX_VALUE, Labels.EMPTY));
    List<WalRecords.SeriesRecord> back = new ArrayList<>();
    WalRecords.decodeSeries(WalRecords.encodeSeries(series), back::add);
    assertEquals(series, back);
  }

  @Test
  void malformedRecordsFailClearly() {
    byte[] rec = WalRecords.encodeSeries(List.of(new WalRecords.SeriesRecord(1, Labels.of("a", "b"))));
    byte[] cut = java.util.Arrays.copyOf(rec, rec.length - 1);
    assertThrows(IllegalArgumentException.class, () -> WalRecords.decodeSeries(cut, s -> {}));
    assertThrows(IllegalArgumentException.class, () -> WalRecords.decodeSamples(rec, (a, b, c) -> {}));
  }
}
