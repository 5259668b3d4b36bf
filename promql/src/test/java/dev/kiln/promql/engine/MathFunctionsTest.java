package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MathFunctionsTest {
  // Expected values as Prometheus (Go's math package) answers log2/log10 of the same inputs.
  @Test
  void log2AnswersAsGoesMathLog2() {
    assertEquals(3.321928094887362, MathFunctions.log2(10));
    assertEquals(4.321928094887363, MathFunctions.log2(20));
    assertEquals(-1074.0, MathFunctions.log2(Double.MIN_VALUE));
    assertEquals(Double.NEGATIVE_INFINITY, MathFunctions.log2(0));
    assertEquals(Double.NaN, MathFunctions.log2(-1));
  }

  @Test
  void log10AnswersAsGoesMathLog10() {
    assertEquals(1.301029995663981, MathFunctions.log10(20));
    assertEquals(1.0, MathFunctions.log10(10));
    assertEquals(Double.NEGATIVE_INFINITY, MathFunctions.log10(0));
  }
}
