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
    ShortestDigits d = new ShortestDigits();
    d.set(a);
    return d.digits() + "e" + d.exponent();
  }

  @Test
  void shortestDigitsAgreeWithTheBigDecimalSearchOnRandomDoubles() {
    long seed = System.nanoTime();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200_000; i++) {
      double a = switch (i % 7) {
        case 0 -> Math.abs(Double.longBitsToDouble(r.nextLong()));
        case 1 -> r.nextInt(1_000_000) / (double) (1 + r.nextInt(1000));
        case 2 -> r.nextInt(100_000) * 0.01;
        case 3 -> Math.scalb(r.nextDouble(), r.nextInt(-1020, 1020));
        case 4 -> Math.scalb(1.0, r.nextInt(-1022, 1024)); // powers of two: the asymmetric interval
        case 5 -> Math.nextUp(Math.scalb(1.0, r.nextInt(-1022, 1023))) * (r.nextBoolean() ? 1 : 0.75);
        default -> (double) r.nextLong(1L << 60);
      };
      if (!ShortestDigits.handles(a)) {
        continue;
      }
      assertEquals(reference(a), fast(a), "seed " + seed + " value " + Double.doubleToRawLongBits(a));
    }
  }

  @Test
  void shortestDigitsAtTheEdges() {
    double[] edges = {Double.MIN_NORMAL, Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE, Math.nextDown(Double.MAX_VALUE),
        1, 2, 0.5, 9007199254740992.0, 9007199254740993.0, 1e22, 1e23, 0.1, 0.2, 0.3, 1.0 / 3,
        2.0 / 3, 123456789012345678.0, 1e15, 1e16, 1e17, 4.35, 0.001, 1.7976931348623157e308, 2.2250738585072014e-308};
    for (double a : edges) {
      assertEquals(reference(a), fast(a), "value " + a);
    }
    for (int e = -1022; e <= 1023; e++) {
      double p = Math.scalb(1.0, e);
      assertEquals(reference(p), fast(p), "2^" + e);
      if (e > -1022) {
        assertEquals(reference(Math.nextDown(p)), fast(Math.nextDown(p)), "nextDown 2^" + e);
      }
    }
    for (int k = -307; k <= 308; k++) {
      double p = Double.parseDouble("1e" + k);
      assertEquals(reference(p), fast(p), "1e" + k);
    }
  }

  /** Go's layout of the reference digits, built with BigDecimal's own plain form. */
  private static String referenceLayout(double f, Notation n) {
    if (f == 0) {
      return (Double.doubleToRawLongBits(f) < 0 ? "-" : "") + (n == Notation.EXPONENT ? "0e+00" : "0");
    }
    BigDecimal bd = GoFloats.shortest(Math.abs(f));
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = f < 0 ? "-" : "";
    if (exp < n.minPlainExponent() || exp >= n.plainExponentLimit()) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return sign + bd.toPlainString();
  }

  @Test
  void writesGoLayoutsAtAnOffset() {
    long seed = System.nanoTime();
    SplittableRandom r = new SplittableRandom(seed);
    ShortestDigits scratch = new ShortestDigits();
    byte[] buf = new byte[GoFloats.MAX_WRITTEN_LENGTH + 3];
    for (int i = 0; i < 20_000; i++) {
      double a = i % 3 == 0 ? Double.longBitsToDouble(r.nextLong()) : (r.nextInt(2_000_001) - 1_000_000) / 64.0 / (1 + r.nextInt(9));
      if (Double.isNaN(a) || Double.isInfinite(a)) {
        continue;
      }
      for (Notation n : new Notation[] {Notation.API_VALUE, Notation.PLAIN, Notation.EXPONENT, Notation.G, Notation.V}) {
        buf[0] = 'x';
        int end = GoFloats.write(a, n, scratch, buf, 1);
        String want = referenceLayout(a, n);
        assertEquals("x" + want, new String(buf, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1), "seed " + seed + " " + a);
        assertEquals(want, GoFloats.format(a, n), "seed " + seed + " " + a);
      }
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
    // A power of two whose rounding interval is narrower below: the shortest decimal lies above it.
    assertEquals("6.090821257125e+287", GoFloats.format(Double.longBitsToDouble(0x7bb0000000000000L), Notation.API_VALUE));
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
