package dev.kiln.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegexShapeTest {
  @Test
  void recognisesCommonShapes() {
    assertEquals(RegexShape.Kind.ANY, RegexShape.of(".*").kind());
    assertEquals(RegexShape.Kind.NON_EMPTY, RegexShape.of(".+").kind());
    RegexShape set = RegexShape.of("api|web|db");
    assertEquals(RegexShape.Kind.LITERAL_SET, set.kind());
    assertEquals(List.of("api", "web", "db"), set.literals());
    assertEquals(List.of("a.b", ""), RegexShape.of("(a\\.b|)").literals());
    assertEquals(List.of("x"), RegexShape.of("(?:x)").literals());
    RegexShape prefix = RegexShape.of("node_cpu.*");
    assertEquals(RegexShape.Kind.PREFIX, prefix.kind());
    assertEquals("node_cpu", prefix.prefix());
    RegexShape suffix = RegexShape.of(".+_seconds_total");
    assertEquals(RegexShape.Kind.SUFFIX, suffix.kind());
    assertEquals("_seconds_total", suffix.suffix());
    assertEquals(true, suffix.matches("node_cpu_seconds_total"));
    assertEquals(false, suffix.matches("_seconds_total"));
    assertEquals(true, RegexShape.of(".*_seconds_total").matches("_seconds_total"));
    assertEquals(false, suffix.matches("node_cpu_seconds_total_x"));
    for (String general :
        new String[] {"a.b", "a+", "(?i)api", "[ab]", "\\d+", "a\\.*", "(a|b)c", "a.*b", "^a", ".*a|b", ".+a.*", ".*\\d"}) {
      assertEquals(RegexShape.Kind.GENERAL, RegexShape.of(general).kind(), general);
    }
  }

  /** Every recognised shape must agree with the anchored RE2 pattern on random strings. */
  @Test
  void shapesAgreeWithRegexEngine() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random r = new Random(seed);
    String alphabet = "ab.|*+()\\?x\n";
    int checked = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder re = new StringBuilder();
      int len = r.nextInt(7);
      for (int i = 0; i < len; i++) {
        re.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String regex = re.toString();
      Pattern p;
      try {
        p = Pattern.compile("^(?s:" + regex + ")$");
      } catch (RuntimeException e) {
        continue;
      }
      RegexShape shape = RegexShape.of(regex);
      if (shape.kind() == RegexShape.Kind.GENERAL) {
        continue;
      }
      checked++;
      for (int j = 0; j < 20; j++) {
        StringBuilder v = new StringBuilder();
        int vl = r.nextInt(5);
        for (int i = 0; i < vl; i++) {
          v.append("ab.x|\n".charAt(r.nextInt(6)));
        }
        String value = r.nextInt(4) == 0 && !shape.literals().isEmpty()
            ? shape.literals().get(0) : v.toString();
        assertEquals(p.matches(value), shape.matches(value),
            "seed=" + seed + " regex=" + regex + " value=" + value);
      }
    }
    assertEquals(true, checked > 100, "too few recognised shapes: " + checked);
  }
}
