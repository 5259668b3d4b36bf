package dev.kiln.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Matcher evaluation on {@link MemPostings} against brute force over the label sets. */
class MemPostingsTest {
  private static final String[] NAMES = {"__name__", "job", "instance", "mode", "cpu"};
  private static final String[] VALUES = {"a", "b", "ab", "api", "api-1", "web", "x.y", "x"};
  private static final String[] PATTERNS = {
    ".*", ".+", "a|b", "a|", "api.*", "x\\.y", "(a|web)", "a.*b", "(?i)API", "[ab]+", "", "x.y",
    "ap.+", "nomatch"
  };

  private static Labels randomLabels(Random r) {
    Labels.Builder b = Labels.builder();
    for (String n : NAMES) {
      if (r.nextInt(3) > 0) {
        b.set(n, VALUES[r.nextInt(VALUES.length)]);
      }
    }
    return b.build();
  }

  private static LabelMatcher randomMatcher(Random r) {
    String name = r.nextInt(10) == 0 ? "absent" : NAMES[r.nextInt(NAMES.length)];
    LabelMatcher.Type type = LabelMatcher.Type.values()[r.nextInt(4)];
    String value =
        switch (type) {
          case EQUAL, NOT_EQUAL -> r.nextInt(4) == 0 ? "" : VALUES[r.nextInt(VALUES.length)];
          default -> PATTERNS[r.nextInt(PATTERNS.length)];
        };
    return LabelMatcher.of(type, name, value);
  }

  @Test
  void selectMatchesBruteForce() {
    long base = Long.getLong("tests.seed", System.nanoTime());
    for (int round = 0; round < 100; round++) {
      long seed = base + round;
      Random r = new Random(seed);
      MemPostings mp = new MemPostings();
      List<Labels> series = new ArrayList<>();
      int n = r.nextInt(300);
      for (int i = 0; i < n; i++) {
        Labels l = randomLabels(r);
        series.add(l);
        mp.add(i, l);
      }
      TreeSet<Integer> deleted = new TreeSet<>();
      for (int i = 0; i < n / 5; i++) {
        int id = r.nextInt(n);
        if (deleted.add(id)) {
          mp.delete(id, series.get(id));
        }
      }
      for (int q = 0; q < 40; q++) {
        LabelMatcher[] ms = new LabelMatcher[r.nextInt(4)];
        for (int i = 0; i < ms.length; i++) {
          ms[i] = randomMatcher(r);
        }
        RoaringBitmap expected = new RoaringBitmap();
        for (int id = 0; id < n; id++) {
          if (deleted.contains(id)) {
            continue;
          }
          boolean ok = true;
          for (LabelMatcher m : ms) {
            ok &= m.matches(series.get(id));
          }
          if (ok) {
            expected.add(id);
          }
        }
        assertEquals(expected, mp.select(ms), "seed=" + seed + " matchers=" + List.of(ms));
      }
      assertEquals(n - deleted.size(), mp.seriesCount());
    }
  }

  @Test
  void internsLabelStringsAndListsNamesAndValues() {
    MemPostings mp = new MemPostings();
    Labels a = mp.add(1, Labels.of("job", new String("api"), "mode", "idle"));
    Labels b = mp.add(2, Labels.of("job", new String("api"), "mode", "user"));
    assertSame(a.get("job"), b.get("job"));
    Labels fresh = Labels.of(new String("job"), new String("api"), "other", "x");
    Labels interned = mp.intern(fresh);
    assertEquals(fresh, interned);
    assertSame(a.get("job"), interned.get("job"));
    assertSame(fresh.get("other"), interned.get("other"));
    Labels unknown = Labels.of("zzz", "1");
    assertSame(unknown, mp.intern(unknown));
    assertEquals(List.of("job", "mode"), mp.labelNames());
    assertEquals(List.of("idle", "user"), mp.labelValues("mode"));
    assertEquals(3, mp.labelPairCount());
    mp.delete(1, a);
    assertEquals(List.of("user"), mp.labelValues("mode"));
    RoaringBitmap sel = mp.select(LabelMatcher.equal("job", "api"));
    sel.add(99); // the caller owns the result: the index must not change
    assertEquals(RoaringBitmap.bitmapOf(2), mp.select(LabelMatcher.equal("job", "api")));
  }
}
