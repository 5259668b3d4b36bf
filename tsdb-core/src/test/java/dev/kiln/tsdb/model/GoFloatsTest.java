package dev.kiln.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GoFloatsTest {
  /** The formatting of {@link GoFloats#shortest} alone, the reference for the fast path. */
  private static String reference(double a) {
    BigDecimal bd = GoFloats.shortest(a);
    String digits = bd.unscaledValue().toString();
    return digits + "e" + (digits.length() - 1 - bd.scale());
  }

  private static String fast(double a) {
    GoFloats.Decimal d = GoFloats.fastDigits(a);
    return d == null ? reference(a) : d.digits() + "e" + d.exp();
  }

  @Test
  void fastDigitsAgreeWithTheBigDecimalSearchOnRandomDoubles() {
    long seed = System.nanoTime();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 50_000; i++) {
      double a = switch (i % 5) {
        case 0 -> Math.abs(Double.longBitsToDouble(r.nextLong()));
        case 1 -> r.nextInt(1_000_000) / (double) (1 + r.nextInt(1000));
        case 2 -> r.nextInt(100_000) * 0.01;
        case 3 -> Math.scalb(r.nextDouble(), r.nextInt(-1070, 1020));
        default -> (double) r.nextLong(1L << 60);
      };
      if (a == 0 || Double.isNaN(a) || Double.isInfinite(a)) {
        continue;
      }
      assertEquals(reference(a), fast(a), "seed " + seed + " value " + Double.doubleToRawLongBits(a));
    }
  }

  @Test
  void knownValues() {
    assertEquals("2e+23", GoFloats.formatV(2e23));
    assertEquals("1e+23", GoFloats.formatV(1e23));
    assertEquals("0.1", GoFloats.sampleValue(0.1));
    assertEquals("0.30000000000000004", GoFloats.sampleValue(0.1 + 0.2));
    assertEquals("37.46666666666667", GoFloats.sampleValue(37.46666666666667));
    assertEquals("1e-07", GoFloats.sampleValue(1e-7));
    assertEquals("0.000001", GoFloats.sampleValue(1e-6));
    assertEquals("123456789012345680000", GoFloats.sampleValue(1.2345678901234568e20));
    assertEquals("1.2345678901234568e+21", GoFloats.sampleValue(1.2345678901234568e21));
    assertEquals("-1.5", GoFloats.sampleValue(-1.5));
    assertEquals("5e-324", GoFloats.sampleValue(Double.MIN_VALUE));
    assertEquals("1.7976931348623157e+308", GoFloats.sampleValue(Double.MAX_VALUE));
    assertEquals("2.0000000000000004", GoFloats.sampleValue(2.0000000000000004));
  }
}
