package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScrapeCacheTest {
  /** Random texts and scrapes against a map oracle: lookups, series, links and retention. */
  @Test
  void matchesAMapOracleAcrossRetains() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    ScrapeCache cache = new ScrapeCache();
    Map<String, ScrapeCache.Series> oracle = new HashMap<>();
    for (int generation = 1; generation <= 60; generation++) {
      Map<String, ScrapeCache.Series> seenNow = new HashMap<>();
      int previous = ScrapeCache.NONE;
      Map<Integer, Integer> expectedNext = new HashMap<>();
      int lines = rnd.nextInt(200);
      for (int i = 0; i < lines; i++) {
        String text = "m{i=\"" + rnd.nextInt(300) + "\"}";
        // Embed the text in a larger buffer, as in a page.
        byte[] buf = ("xx " + text + " 1\n").getBytes(StandardCharsets.UTF_8);
        int start = 3;
        int end = 3 + text.length();
        int e = cache.get(buf, start, end);
        if (oracle.containsKey(text)) {
          assertTrue(e >= 0, "seed " + seed + ": " + text + " must be cached");
          assertSame(oracle.get(text), cache.series(e), "seed " + seed);
        } else {
          assertEquals(ScrapeCache.NONE, e, "seed " + seed);
          ScrapeCache.Series s = rnd.nextInt(5) == 0 ? null
              : cache.series(Labels.of("__name__", "m", "i", text));
          e = cache.put(buf, start, end, s);
          oracle.put(text, s);
        }
        assertTrue(cache.matches(e, buf, start, end), "seed " + seed);
        cache.setSeen(e, generation);
        seenNow.put(text, oracle.get(text));
        if (previous == ScrapeCache.NONE) {
          cache.setFirst(e);
        } else {
          cache.setNext(previous, e);
        }
        previous = e;
      }
      if (previous != ScrapeCache.NONE) {
        cache.setNext(previous, ScrapeCache.NONE);
      } else {
        cache.setFirst(ScrapeCache.NONE);
      }
      if (rnd.nextBoolean()) {
        // The chain of this scrape, as texts, must survive a retain.
        java.util.List<String> chain = chain(cache);
        cache.retain(generation);
        oracle.keySet().retainAll(seenNow.keySet());
        assertEquals(chain, chain(cache), "seed " + seed);
        assertEquals(oracle.size(), cache.size(), "seed " + seed);
      }
    }
    for (Map.Entry<String, ScrapeCache.Series> o : oracle.entrySet()) {
      byte[] b = o.getKey().getBytes(StandardCharsets.UTF_8);
      int e = cache.get(b, 0, b.length);
      assertTrue(e >= 0, "seed " + seed);
      assertSame(o.getValue(), cache.series(e), "seed " + seed);
    }
    byte[] unknown = "never{seen=\"1\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(ScrapeCache.NONE, cache.get(unknown, 0, unknown.length));
    cache.clear();
    assertEquals(0, cache.size());
    assertEquals(ScrapeCache.NONE, cache.first());
  }

  /** The texts of the last scrape's chain (bounded: a text repeated on a page can make a cycle). */
  private static java.util.List<String> chain(ScrapeCache cache) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int e = cache.first(), n = 0; e != ScrapeCache.NONE && n < 1000; e = cache.next(e), n++) {
      out.add(Integer.toString(e == ScrapeCache.NONE ? -1 : cache.seen(e)) + (cache.series(e) == null ? "d" : cache.series(e).labels.get("i")));
    }
    return out;
  }

  @Test
  void droppedTextsAreCachedAsNull() {
    ScrapeCache cache = new ScrapeCache();
    byte[] b = "drop_me".getBytes(StandardCharsets.UTF_8);
    int e = cache.put(b, 0, b.length, null);
    assertEquals(e, cache.get(b, 0, b.length));
    assertNull(cache.series(e));
  }
}
