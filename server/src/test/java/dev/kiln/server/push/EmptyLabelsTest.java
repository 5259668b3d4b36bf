package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EmptyLabelsTest {
  @Test
  void namesTheLabelsWrittenEmpty() {
    assertEquals(List.of(), EmptyLabels.in("up"));
    assertEquals(List.of(), EmptyLabels.in("up{a=\"1\"}"));
    assertEquals(List.of("container", "z"), EmptyLabels.in("x{container=\"\",a=\"q\\\"=\\\"\\\"\", z = \"\" ,}"));
    assertEquals(List.of(), EmptyLabels.in("x{a=\"=\\\"\\\"\"}"));
  }
}
