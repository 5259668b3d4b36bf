package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesRefCacheTest {
  @Test
  void behavesLikeAMapUntilItsBound() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20);
    Map<Long, Long> oracle = new HashMap<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      long k = rnd.nextInt(50_000);
      long h1 = k * 0x9E3779B97F4A7C15L;
      long h2 = ~k;
      switch (rnd.nextInt(3)) {
        case 0 -> {
          long ref = 1 + rnd.nextInt(1_000_000);
          cache.put(h1, h2, ref);
          oracle.put(k, ref);
        }
        case 1 -> {
          cache.remove(h1, h2);
          oracle.remove(k);
        }
        default -> assertEquals(oracle.getOrDefault(k, 0L), cache.get(h1, h2), "key " + k);
      }
    }
    assertEquals(oracle.size(), cache.size());
  }

  @Test
  void staysBounded() {
    SeriesRefCache cache = new SeriesRefCache(16 * 1024);
    for (long k = 1; k <= 200_000; k++) {
      cache.put(k * 0x9E3779B97F4A7C15L, k, k);
    }
    assertTrue(cache.size() <= 16 * 1024 + 16, "size " + cache.size());
  }

  @Test
  void theTwoHashesDifferAndDependOnEveryByte() {
    byte[] a = "__name__up job api instance a:9100 extra bytes beyond eight".getBytes(StandardCharsets.UTF_8);
    byte[] b = a.clone();
    b[b.length - 1] ^= 1;
    assertTrue(SeriesRefCache.hash1(a, 0, a.length) != SeriesRefCache.hash2(a, 0, a.length));
    assertTrue(SeriesRefCache.hash1(a, 0, a.length) != SeriesRefCache.hash1(b, 0, b.length));
    assertTrue(SeriesRefCache.hash1(a, 0, a.length - 1) != SeriesRefCache.hash1(a, 0, a.length));
    assertEquals(SeriesRefCache.hash1(a, 3, 20), SeriesRefCache.hash1(a.clone(), 3, 20));
  }
}
