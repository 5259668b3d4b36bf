package dev.kiln.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalDigitsTest {
  @Test
  void countsDigitsAtEveryPowerOfTenAndItsNeighbours() {
    assertEquals(1, DecimalDigits.count(0));
    long p = 1;
    for (int n = 1; n <= 19; n++) {
      assertEquals(n, DecimalDigits.count(p), "10^" + (n - 1));
      if (p > 1) {
        assertEquals(n - 1, DecimalDigits.count(p - 1), "10^" + (n - 1) + " - 1");
      }
      assertEquals(n, DecimalDigits.count(p + 1 == 2 ? 2 : p + 1));
      if (n < 19) {
        p *= 10;
      }
    }
    assertEquals(19, DecimalDigits.count(Long.MAX_VALUE));
  }

  @Test
  void countsLikeLongToStringForRandomValues() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long v = r.nextLong(Long.MAX_VALUE) >>> r.nextInt(63);
      assertEquals(Long.toString(v).length(), DecimalDigits.count(v), Long.toString(v));
    }
  }

  @Test
  void writesZeroPaddedDigitsEndingAtTheGivenPosition() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 100_000; i++) {
      long v = r.nextLong(Long.MAX_VALUE) >>> r.nextInt(63);
      int n = DecimalDigits.count(v) + r.nextInt(3);
      byte[] buf = new byte[n + 4];
      int start = DecimalDigits.write(buf, n + 2, v, n);
      assertEquals(2, start);
      String expected = String.format("%0" + n + "d", v);
      assertEquals(expected, new String(buf, 2, n, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void writesOnlyTheLastDigitsWhenAskedForFewer() {
    byte[] buf = new byte[3];
    DecimalDigits.write(buf, 3, 123456, 3);
    assertEquals("456", new String(buf, StandardCharsets.US_ASCII));
  }
}
