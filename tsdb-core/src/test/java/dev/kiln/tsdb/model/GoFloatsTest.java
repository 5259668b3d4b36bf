package dev.kiln.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.model.GoFloats.Notation;
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
    assertEquals("2e+23", GoFloats.format(2e23, Notation.V));
    assertEquals("1e+23", GoFloats.format(1e23, Notation.V));
    assertEquals("0.1", GoFloats.format(0.1, Notation.API_VALUE));
    assertEquals("0.30000000000000004", GoFloats.format(0.1 + 0.2, Notation.API_VALUE));
    assertEquals("37.46666666666667", GoFloats.format(37.46666666666667, Notation.API_VALUE));
    assertEquals("1e-07", GoFloats.format(1e-7, Notation.API_VALUE));
    assertEquals("0.000001", GoFloats.format(1e-6, Notation.API_VALUE));
    assertEquals("123456789012345680000", GoFloats.format(1.2345678901234568e20, Notation.API_VALUE));
    assertEquals("1.2345678901234568e+21", GoFloats.format(1.2345678901234568e21, Notation.API_VALUE));
    assertEquals("-1.5", GoFloats.format(-1.5, Notation.API_VALUE));
    assertEquals("5e-324", GoFloats.format(Double.MIN_VALUE, Notation.API_VALUE));
    assertEquals("1.7976931348623157e+308", GoFloats.format(Double.MAX_VALUE, Notation.API_VALUE));
    assertEquals("2.0000000000000004", GoFloats.format(2.0000000000000004, Notation.API_VALUE));
  }

  @Test
  void apiSampleValuesMatchGo() {
    String[][] cases = {
      {"1", "1"}, {"0.1", "0.1"}, {"0.30000000000000004", "0.30000000000000004"}, {"1234.5", "1234.5"},
      {"1e20", "100000000000000000000"}, {"0.000001", "0.000001"}, {"1e-7", "1e-07"}, {"1.5e-10", "1.5e-10"},
      {"1e21", "1e+21"}, {"2e23", "2e+23"}, {"5e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"-0.0", "-0"}, {"0", "0"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], GoFloats.format(Double.parseDouble(c[0]), Notation.API_VALUE), c[0]);
    }
    assertEquals("NaN", GoFloats.format(Double.NaN, Notation.API_VALUE));
    assertEquals("+Inf", GoFloats.format(Double.POSITIVE_INFINITY, Notation.API_VALUE));
    assertEquals("-Inf", GoFloats.format(Double.NEGATIVE_INFINITY, Notation.API_VALUE));
  }

  @Test
  void plainAndExponentForms() {
    assertEquals("0.0000001", GoFloats.format(1e-7, Notation.PLAIN));
    assertEquals("1e+00", GoFloats.format(1, Notation.EXPONENT));
    assertEquals("5e-01", GoFloats.format(0.5, Notation.EXPONENT));
    assertEquals("1.234e+02", GoFloats.format(123.4, Notation.EXPONENT));
  }

  @Test
  void eachNotationSwitchesToExponentFormAtItsOwnCutoffs() {
    // strconv 'g': 1e-4 and 1e6; fmt %v: 1e-4 and 1e21; the API: 1e-6 and 1e21.
    assertEquals("0.0001", GoFloats.format(1e-4, Notation.G));
    assertEquals("1e-05", GoFloats.format(1e-5, Notation.G));
    assertEquals("100000", GoFloats.format(1e5, Notation.G));
    assertEquals("1e+06", GoFloats.format(1e6, Notation.G));
    assertEquals("1e-05", GoFloats.format(1e-5, Notation.V));
    assertEquals("1000000", GoFloats.format(1e6, Notation.V));
    assertEquals("1e+21", GoFloats.format(1e21, Notation.V));
    assertEquals("0.00001", GoFloats.format(1e-5, Notation.API_VALUE));
    assertEquals("1e+21", GoFloats.format(1e21, Notation.API_VALUE));
    assertEquals("1000000000000000000000", GoFloats.format(1e21, Notation.PLAIN));
    assertEquals("0e+00", GoFloats.format(0, Notation.EXPONENT));
  }

  @Test
  void formatFloatWithPrecisionRoundsTheExactBinaryValue() {
    assertEquals("3.14", GoFloats.formatFloat(3.14159, 'f', 2));
    assertEquals("0.000000", GoFloats.formatFloat(5e-7, 'f', 6)); // 5e-7 is just below 0.0000005
    assertEquals("2.50", GoFloats.formatFloat(2.5, 'f', 2));
    assertEquals("1.2346e+04", GoFloats.formatFloat(12345.6789, 'e', 4));
    assertEquals("1.235e+04", GoFloats.formatFloat(12345.6789, 'g', 4));
    assertEquals("12.35", GoFloats.formatFloat(12.345678, 'g', 4));
    assertEquals("1e+02", GoFloats.formatFloat(100, 'g', 1));
    assertEquals("100", GoFloats.formatFloat(100, 'g', 3));
    assertEquals("-0.000", GoFloats.formatFloat(-0.0001, 'f', 3));
    assertEquals("+Inf", GoFloats.formatFloat(Double.POSITIVE_INFINITY, 'g', 4));
    assertEquals("1e+06", GoFloats.formatFloat(1e6, 'g', -1));
    assertThrows(IllegalArgumentException.class, () -> GoFloats.formatFloat(1, 'x', 2));
  }

  @Test
  void openMetricsBoundsKeepAPointOrAnExponent() {
    assertEquals("1.0", GoFloats.formatOpenMetrics(1));
    assertEquals("100000.0", GoFloats.formatOpenMetrics(1e5));
    assertEquals("1e+06", GoFloats.formatOpenMetrics(1e6));
    assertEquals("0.25", GoFloats.formatOpenMetrics(0.25));
    assertEquals("+Inf", GoFloats.formatOpenMetrics(Double.POSITIVE_INFINITY));
    assertEquals("NaN", GoFloats.formatOpenMetrics(Double.NaN));
  }

  @Test
  void parsesWhatStrconvParseFloatAccepts() {
    assertEquals(1.5, GoFloats.parse("1.5"));
    assertEquals(-2e-3, GoFloats.parse("-2e-3"));
    assertEquals(Double.POSITIVE_INFINITY, GoFloats.parse("+Inf"));
    assertEquals(Double.NEGATIVE_INFINITY, GoFloats.parse("-infinity"));
    assertEquals(Double.NaN, GoFloats.parse("NaN"));
    for (String bad : new String[] {"", "1d", "0x1p3", "1_000", "e5", "1e", "-NaN", "."}) {
      assertThrows(NumberFormatException.class, () -> GoFloats.parse(bad), bad);
    }
    // PromQL's le labels: strconv.ParseFloat with hexadecimal mantissas.
    assertEquals(8.0, GoFloats.parse("0x1p3", true));
    assertEquals(-12.0, GoFloats.parse("-0x1.8P3", true));
    assertEquals(0.25, GoFloats.parse("0x.4p0", true));
    assertEquals(1e3, GoFloats.parse("1e3", true));
    for (String bad : new String[] {"0x10", "0x1p", "0xp3", "0x1p3d", " 1", "1 ", "+nan", "1f"}) {
      assertThrows(NumberFormatException.class, () -> GoFloats.parse(bad, true), bad);
    }
  }

  @Test
  void shortestFormsReadBackAsTheSameDouble() {
    long seed = System.nanoTime();
    SplittableRandom r = new SplittableRandom(seed);
    Notation[] notations = {Notation.PLAIN, Notation.EXPONENT, Notation.G, Notation.V, Notation.API_VALUE};
    for (int i = 0; i < 4_000; i++) {
      double f = Double.longBitsToDouble(r.nextLong());
      if (Double.isNaN(f) || Double.isInfinite(f)) {
        continue;
      }
      for (Notation n : notations) {
        assertEquals(f, GoFloats.parse(GoFloats.format(f, n)), "seed " + seed + " " + n + " " + f);
      }
    }
  }
}
