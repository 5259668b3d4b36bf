package dev.kiln.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GoFloatTest {
  @Test
  void sampleValuesMatchGo() {
    String[][] cases = {
      {"1", "1"}, {"0.1", "0.1"}, {"0.30000000000000004", "0.30000000000000004"}, {"1234.5", "1234.5"},
      {"1e20", "100000000000000000000"}, {"0.000001", "0.000001"}, {"1e-7", "1e-07"}, {"1.5e-10", "1.5e-10"},
      {"1e21", "1e+21"}, {"2e23", "2e+23"}, {"5e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"-0.0", "-0"}, {"0", "0"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], GoFloat.sampleValue(Double.parseDouble(c[0])), c[0]);
    }
    assertEquals("NaN", GoFloat.sampleValue(Double.NaN));
    assertEquals("+Inf", GoFloat.sampleValue(Double.POSITIVE_INFINITY));
    assertEquals("-Inf", GoFloat.sampleValue(Double.NEGATIVE_INFINITY));
  }

  @Test
  void scalarAndAlertForms() {
    assertEquals("0.0000001", GoFloat.plain(1e-7));
    assertEquals("1e+00", GoFloat.exponent(1));
    assertEquals("5e-01", GoFloat.exponent(0.5));
    assertEquals("1.234e+02", GoFloat.exponent(123.4));
  }

  @Test
  void timestampsAreSecondsWithThreeDigits() {
    StringBuilder sb = new StringBuilder();
    JsonOut.appendTimestamp(sb, 1435781451781L);
    sb.append(' ');
    JsonOut.appendTimestamp(sb, 1500);
    sb.append(' ');
    JsonOut.appendTimestamp(sb, 2000);
    sb.append(' ');
    JsonOut.appendTimestamp(sb, -1500);
    assertEquals("1435781451.781 1.500 2 -1.500", sb.toString());
  }
}
