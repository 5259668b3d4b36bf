package dev.kiln.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonOutTest {
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
