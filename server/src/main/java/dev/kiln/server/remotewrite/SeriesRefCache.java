package dev.kiln.server.remotewrite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Remembers which head series a label set sent over remote write belongs to, keyed by a 128-bit
 * hash of the label set's raw protobuf bytes. A sender repeats the same bytes for a series in every
 * request, so a known series costs one hash of its label bytes instead of decoding, validating,
 * sorting and looking up its labels. Only label sets that passed validation are cached. A
 * reference may go stale when the head drops the series; the caller then falls back to the
 * labels and stores the new reference.
 *
 * <p>Thread-safe (16 independently locked shards); bounded: a shard that outgrows its share of
 * {@code maxEntries} is emptied and refills from traffic. About 24 bytes per entry.
 */
final class SeriesRefCache {
  private static final int SHARDS = 16;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long SEED_1 = 0x9E3779B97F4A7C15L;
  private static final long SEED_2 = 0xC2B2AE3D27D4EB4FL;

  private final Shard[] shards = new Shard[SHARDS];

  SeriesRefCache(int maxEntries) {
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard(Math.max(1024, maxEntries / SHARDS));
    }
  }

  /** The first half of the key of {@code len} bytes at {@code off}. */
  static long hash1(byte[] b, int off, int len) {
    return hash(b, off, len, SEED_1);
  }

  /** The second, independently seeded half of the key. */
  static long hash2(byte[] b, int off, int len) {
    return hash(b, off, len, SEED_2);
  }

  /** The cached series reference, or 0. */
  long get(long h1, long h2) {
    return shard(h1).get(h1, h2);
  }

  void put(long h1, long h2, long ref) {
    shard(h1).put(h1, h2, ref);
  }

  void remove(long h1, long h2) {
    shard(h1).put(h1, h2, Shard.TOMBSTONE);
  }

  int size() {
    int n = 0;
    for (Shard s : shards) {
      n += s.size();
    }
    return n;
  }

  private Shard shard(long h1) {
    return shards[(int) (h1 >>> 60) & (SHARDS - 1)];
  }

  private static long hash(byte[] b, int off, int len, long seed) {
    long h = seed ^ (len * 0xff51afd7ed558ccdL);
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      h = Long.rotateLeft(h ^ mix((long) LONGS.get(b, i)), 27) * 0x9E3779B97F4A7C15L + 0x52dce729;
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xffL) << shift;
    }
    h ^= mix(tail ^ seed);
    return mix(h ^ (h >>> 31));
  }

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** Open addressing with linear probing; a reference of 0 marks an empty slot. */
  private static final class Shard {
    static final long TOMBSTONE = -1;

    private final int maxEntries;
    private long[] keys1;
    private long[] keys2;
    private long[] refs;
    private int used;
    private int live;

    Shard(int maxEntries) {
      this.maxEntries = maxEntries;
      allocate(256);
    }

    private void allocate(int capacity) {
      keys1 = new long[capacity];
      keys2 = new long[capacity];
      refs = new long[capacity];
      used = 0;
      live = 0;
    }

    synchronized int size() {
      return live;
    }

    synchronized long get(long h1, long h2) {
      int mask = refs.length - 1;
      for (int i = (int) h1 & mask; ; i = (i + 1) & mask) {
        long ref = refs[i];
        if (ref == 0) {
          return 0;
        }
        if (keys1[i] == h1 && keys2[i] == h2) {
          return ref == TOMBSTONE ? 0 : ref;
        }
      }
    }

    synchronized void put(long h1, long h2, long ref) {
      int mask = refs.length - 1;
      for (int i = (int) h1 & mask; ; i = (i + 1) & mask) {
        long existing = refs[i];
        if (existing == 0) {
          if (ref == TOMBSTONE) {
            return;
          }
          keys1[i] = h1;
          keys2[i] = h2;
          refs[i] = ref;
          used++;
          live++;
          if (used * 4 > refs.length * 3) {
            grow();
          }
          return;
        }
        if (keys1[i] == h1 && keys2[i] == h2) {
          if (existing == TOMBSTONE && ref != TOMBSTONE) {
            live++;
          } else if (existing != TOMBSTONE && ref == TOMBSTONE) {
            live--;
          }
          refs[i] = ref;
          return;
        }
      }
    }

    private void grow() {
      long[] k1 = keys1;
      long[] k2 = keys2;
      long[] r = refs;
      int capacity = live > maxEntries ? 256 : Integer.highestOneBit(Math.max(256, live * 4));
      allocate(capacity);
      if (capacity == 256) {
        return;
      }
      for (int i = 0; i < r.length; i++) {
        if (r[i] != 0 && r[i] != TOMBSTONE) {
          put(k1[i], k2[i], r[i]);
        }
      }
    }
  }
}
