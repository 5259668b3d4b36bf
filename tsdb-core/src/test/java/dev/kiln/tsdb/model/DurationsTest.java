package dev.kiln.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DurationsTest {
  private static final long DAY = 86_400_000L;

  @Test
  void parsesEveryUnitAndCompoundForms() {
    assertEquals(5, Durations.parseMillis("5ms"));
    assertEquals(15_000, Durations.parseMillis("15s"));
    assertEquals(300_000, Durations.parseMillis("5m"));
    assertEquals(7_200_000, Durations.parseMillis("2h"));
    assertEquals(3 * DAY, Durations.parseMillis("3d"));
    assertEquals(14 * DAY, Durations.parseMillis("2w"));
    assertEquals(365 * DAY, Durations.parseMillis("1y"));
    assertEquals(5_400_000, Durations.parseMillis("1h30m"));
    assertEquals(365 * DAY + 7 * DAY + DAY + 3_600_000 + 60_000 + 1000 + 1,
        Durations.parseMillis("1y1w1d1h1m1s1ms"));
    assertEquals(0, Durations.parseMillis("0"));
    assertEquals(0, Durations.parseMillis("0s"));
  }

  @Test
  void rejectsWhatPrometheusRejects() {
    // model.ParseDuration: units once each, largest first; integers only; no sign; "0" alone needs no unit.
    for (String bad : new String[] {"", "5", "1.5h", "5m1h", "5m1m", "1s1ms1s", "-5m", "+5m", "5M", "5min", "5mm",
        "1h 30m", "ms", "1d1y"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis(bad), bad);
      assertEquals("not a valid duration string: \"" + bad + "\"", e.getMessage());
    }
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> Durations.parseMillis("999999999999y"));
    assertEquals("duration out of range: \"999999999999y\"", big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis(null));
  }

  @Test
  void formatsLargestUnitsFirstWithExactYearsAndWeeks() {
    assertEquals("0s", Durations.format(0));
    assertEquals("1m30s", Durations.format(90_000));
    assertEquals("1d", Durations.format(DAY));
    assertEquals("1h500ms", Durations.format(3_600_500));
    assertEquals("2w", Durations.format(14 * DAY));
    assertEquals("15d", Durations.format(15 * DAY));
    assertEquals("90d", Durations.format(90 * DAY));
    assertEquals("1y", Durations.format(365 * DAY));
    assertEquals("366d", Durations.format(366 * DAY));
    assertEquals("-5m", Durations.format(-300_000));
  }

  @Test
  void formatReadsBackAsTheSameDuration() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      long ms = switch (r.nextInt(3)) {
        case 0 -> r.nextInt(100_000);
        case 1 -> (long) r.nextInt(10_000) * 60_000;
        default -> Math.floorMod(r.nextLong(), 1000L * 365 * DAY);
      };
      assertEquals(ms, Durations.parseMillis(Durations.format(ms)), "seed " + seed + ", " + ms + " ms");
    }
  }
}
