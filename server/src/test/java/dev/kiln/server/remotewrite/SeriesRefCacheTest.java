package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesRefCacheTest {
  /** A key's bytes at offset 3 of an array (shifted, so offsets are exercised), with padding behind. */
  private static final class Key {
    final byte[] b;
    final int off = 3;
    final int len;

    Key(String s, boolean padded) {
      byte[] k = s.getBytes(StandardCharsets.UTF_8);
      b = new byte[k.length + 3 + (padded ? 5 : 0)];
      System.arraycopy(k, 0, b, 3, k.length);
      len = k.length;
    }
  }

  private static Key key(String s, boolean padded) {
    return new Key(s, padded);
  }

  private static long get(SeriesRefCache c, long hash, Key k) {
    return c.get(hash, k.b, k.off, k.len);
  }

  private static long hash(Key k) {
    return SeriesRefCache.hash(k.b, k.off, k.len);
  }

  @Test
  void behavesLikeAMapUntilItsBound() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    Map<Long, Long> oracle = new HashMap<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      long k = rnd.nextInt(50_000);
      Key key = key("series-" + k + "-" + "x".repeat((int) (k % 23)), k % 2 == 0);
      long h = hash(key);
      switch (rnd.nextInt(3)) {
        case 0 -> {
          long ref = 1 + rnd.nextInt(1_000_000);
          cache.put(h, key.b, key.off, key.len, ref);
          oracle.put(k, ref);
        }
        case 1 -> {
          cache.remove(h, key.b, key.off, key.len);
          oracle.remove(k);
        }
        default -> assertEquals(oracle.getOrDefault(k, 0L), get(cache, h, key), "key " + k);
      }
    }
    assertEquals(oracle.size(), cache.size());
  }

  @Test
  void keysWithTheSameHashAreToldApartByTheirBytes() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    long sameHash = 0x1234_5678_9abc_def0L;
    Key a = key("__name__=up,job=api", true);
    Key b = key("__name__=up,job=apj", true);
    Key c = key("__name__=up,job=api,extra", false);
    cache.put(sameHash, a.b, a.off, a.len, 11);
    assertEquals(0, get(cache, sameHash, b), "same hash, other bytes: not found");
    assertEquals(0, get(cache, sameHash, c), "same hash, longer key: not found");
    cache.put(sameHash, b.b, b.off, b.len, 22);
    cache.put(sameHash, c.b, c.off, c.len, 33);
    assertEquals(11, get(cache, sameHash, a));
    assertEquals(22, get(cache, sameHash, b));
    assertEquals(33, get(cache, sameHash, c));
    assertEquals(11, get(cache, sameHash, key("__name__=up,job=api", false)), "equal bytes in another array");
    cache.remove(sameHash, b.b, b.off, b.len);
    assertEquals(11, get(cache, sameHash, a));
    assertEquals(0, get(cache, sameHash, b));
    assertEquals(33, get(cache, sameHash, c));
    assertEquals(2, cache.size());
  }

  @Test
  void manyCollidingKeysInOneShard() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    for (int i = 0; i < 5000; i++) {
      Key k = key("k" + i, i % 2 == 0);
      cache.put(42, k.b, k.off, k.len, i + 1);
    }
    for (int i = 0; i < 5000; i++) {
      assertEquals(i + 1, get(cache, 42, key("k" + i, i % 3 == 0)));
    }
  }

  @Test
  void staysBoundedInEntriesAndBytes() {
    SeriesRefCache cache = new SeriesRefCache(16 * 1024, 64 << 20);
    for (long k = 1; k <= 200_000; k++) {
      Key key = key("k" + k, false);
      cache.put(hash(key), key.b, key.off, key.len, k);
    }
    assertTrue(cache.size() <= 16 * 1024 + 16, "size " + cache.size());
    SeriesRefCache small = new SeriesRefCache(1 << 20, 16L * 2 * SeriesRefCache.CHUNK_BYTES);
    String pad = "p".repeat(1000);
    for (long k = 1; k <= 20_000; k++) {
      Key key = key(pad + k, false);
      small.put(hash(key), key.b, key.off, key.len, k);
    }
    // 16 shards of two 64 KiB chunks each hold at most 16 * 2 * 65 keys of about 1 KB.
    assertTrue(small.size() <= 16 * 2 * 66, "size " + small.size());
    Key last = key(pad + 20_000, true);
    assertEquals(20_000, get(small, hash(last), last), "the newest key is kept");
  }

  @Test
  void keysLongerThanAChunkAreNotKept() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    Key k = key("x".repeat(SeriesRefCache.CHUNK_BYTES + 1), true);
    cache.put(hash(k), k.b, k.off, k.len, 5);
    assertEquals(0, get(cache, hash(k), k));
  }

  @Test
  void theHashDependsOnEveryByteAndNotOnTheArray() {
    Key a = key("__name__up job api instance a:9100 extra bytes beyond eight", true);
    Key b = key("__name__up job api instance a:9100 extra bytes beyond eigh!", true);
    assertNotEquals(hash(a), hash(b));
    assertNotEquals(hash(a), SeriesRefCache.hash(a.b, a.off, a.len - 1));
    Key elsewhere = key("__name__up job api instance a:9100 extra bytes beyond eight", false);
    assertEquals(hash(a), hash(elsewhere));
    SeriesRefCache cache = new SeriesRefCache(1024, 1 << 20);
    cache.put(hash(a), a.b, a.off, a.len, 9);
    assertEquals(9, get(cache, hash(elsewhere), elsewhere), "the same bytes in another array match");
  }
}
