package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesRefCacheTest {
  private static ByteBuffer key(String s, boolean direct) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = direct ? ByteBuffer.allocateDirect(b.length + 3) : ByteBuffer.allocate(b.length + 3);
    buf.order(ByteOrder.LITTLE_ENDIAN).position(3);
    buf.put(b).flip().position(3);
    return buf;
  }

  private static long get(SeriesRefCache c, long hash, ByteBuffer k) {
    return c.get(hash, k, k.position(), k.remaining());
  }

  private static long hash(ByteBuffer k) {
    return SeriesRefCache.hash(k, k.position(), k.remaining());
  }

  @Test
  void behavesLikeAMapUntilItsBound() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    Map<Long, Long> oracle = new HashMap<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      long k = rnd.nextInt(50_000);
      ByteBuffer key = key("series-" + k + "-" + "x".repeat((int) (k % 23)), k % 2 == 0);
      long h = hash(key);
      switch (rnd.nextInt(3)) {
        case 0 -> {
          long ref = 1 + rnd.nextInt(1_000_000);
          cache.put(h, key, key.position(), key.remaining(), ref);
          oracle.put(k, ref);
        }
        case 1 -> {
          cache.remove(h, key, key.position(), key.remaining());
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
    ByteBuffer a = key("__name__=up,job=api", true);
    ByteBuffer b = key("__name__=up,job=apj", true);
    ByteBuffer c = key("__name__=up,job=api,extra", false);
    cache.put(sameHash, a, a.position(), a.remaining(), 11);
    assertEquals(0, get(cache, sameHash, b), "same hash, other bytes: not found");
    assertEquals(0, get(cache, sameHash, c), "same hash, longer key: not found");
    cache.put(sameHash, b, b.position(), b.remaining(), 22);
    cache.put(sameHash, c, c.position(), c.remaining(), 33);
    assertEquals(11, get(cache, sameHash, a));
    assertEquals(22, get(cache, sameHash, b));
    assertEquals(33, get(cache, sameHash, c));
    assertEquals(11, get(cache, sameHash, key("__name__=up,job=api", false)), "equal bytes in a heap buffer");
    cache.remove(sameHash, b, b.position(), b.remaining());
    assertEquals(11, get(cache, sameHash, a));
    assertEquals(0, get(cache, sameHash, b));
    assertEquals(33, get(cache, sameHash, c));
    assertEquals(2, cache.size());
  }

  @Test
  void manyCollidingKeysInOneShard() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    for (int i = 0; i < 5000; i++) {
      ByteBuffer k = key("k" + i, i % 2 == 0);
      cache.put(42, k, k.position(), k.remaining(), i + 1);
    }
    for (int i = 0; i < 5000; i++) {
      assertEquals(i + 1, get(cache, 42, key("k" + i, i % 3 == 0)));
    }
  }

  @Test
  void staysBoundedInEntriesAndBytes() {
    SeriesRefCache cache = new SeriesRefCache(16 * 1024, 64 << 20);
    for (long k = 1; k <= 200_000; k++) {
      ByteBuffer key = key("k" + k, false);
      cache.put(hash(key), key, key.position(), key.remaining(), k);
    }
    assertTrue(cache.size() <= 16 * 1024 + 16, "size " + cache.size());
    SeriesRefCache small = new SeriesRefCache(1 << 20, 16L * 2 * SeriesRefCache.CHUNK_BYTES);
    String pad = "p".repeat(1000);
    for (long k = 1; k <= 20_000; k++) {
      ByteBuffer key = key(pad + k, false);
      small.put(hash(key), key, key.position(), key.remaining(), k);
    }
    // 16 shards of two 64 KiB chunks each hold at most 16 * 2 * 65 keys of about 1 KB.
    assertTrue(small.size() <= 16 * 2 * 66, "size " + small.size());
    ByteBuffer last = key(pad + 20_000, true);
    assertEquals(20_000, get(small, hash(last), last), "the newest key is kept");
  }

  @Test
  void keysLongerThanAChunkAreNotKept() {
    SeriesRefCache cache = new SeriesRefCache(1 << 20, 64 << 20);
    ByteBuffer k = key("x".repeat(SeriesRefCache.CHUNK_BYTES + 1), true);
    cache.put(hash(k), k, k.position(), k.remaining(), 5);
    assertEquals(0, get(cache, hash(k), k));
  }

  @Test
  void theHashDependsOnEveryByteAndNotOnTheBuffer() {
    ByteBuffer a = key("__name__up job api instance a:9100 extra bytes beyond eight", true);
    ByteBuffer b = key("__name__up job api instance a:9100 extra bytes beyond eigh!", true);
    assertNotEquals(hash(a), hash(b));
    assertNotEquals(hash(a), SeriesRefCache.hash(a, a.position(), a.remaining() - 1));
    ByteBuffer heapBigEndian = key("__name__up job api instance a:9100 extra bytes beyond eight", false).order(ByteOrder.BIG_ENDIAN);
    assertEquals(hash(a), hash(heapBigEndian));
    SeriesRefCache cache = new SeriesRefCache(1024, 1 << 20);
    cache.put(hash(a), a, a.position(), a.remaining(), 9);
    assertEquals(9, get(cache, hash(heapBigEndian), heapBigEndian), "a big-endian view of the same bytes matches");
  }
}
