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
 * <p>Thread-safe (16 shards, each locked by writers and read without locks); bounded: a shard
 * that outgrows its share of {@code maxEntries} is emptied and refills from traffic. About 24
 * bytes per entry.
 */
final class SeriesRefCache {
  private static final int SHARDS = 16;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long SEED_1 = 0x9E3779B97F4A7C15L;
  private static final long SEED_2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0xD6E8FEB86659FD93L;
  private static final long P4 = 0xFF51AFD7ED558CCDL;

  private final Shard[] shards = new Shard[SHARDS];

  SeriesRefCache(int maxEntries) {
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard(Math.max(1024, maxEntries / SHARDS));
    }
  }

  /**
   * Both halves of the 128-bit key of {@code len} bytes at {@code off}, in one pass: {@code
   * out[0]} and {@code out[1]}, from two independently seeded and multiplied lanes.
   */
  static void hash(byte[] b, int off, int len, long[] out) {
    long a = SEED_1 ^ (len * P1);
    long c = SEED_2 ^ (len * P3);
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      long w = (long) LONGS.get(b, i);
      a = Long.rotateLeft(a + w * P2, 31) * P1;
      c = Long.rotateLeft(c + w * P4, 29) * P3;
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xffL) << shift;
    }
    a = Long.rotateLeft(a + tail * P2, 31) * P1;
    c = Long.rotateLeft(c + tail * P4, 29) * P3;
    out[0] = mix(a);
    out[1] = mix(c ^ (a >>> 32));
  }

  /** The first half of the key of {@code len} bytes at {@code off}. */
  static long hash1(byte[] b, int off, int len) {
    long[] out = new long[2];
    hash(b, off, len, out);
    return out[0];
  }

  /** The second, independently seeded half of the key. */
  static long hash2(byte[] b, int off, int len) {
    long[] out = new long[2];
    hash(b, off, len, out);
    return out[1];
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

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /**
   * Open addressing with linear probing over one array of {@code (key1, key2, ref)} triples, so a
   * lookup touches one cache line; a reference of 0 marks an empty slot. Writers lock; readers do
   * not: a slot's keys are written before its reference (release) and never change afterwards, and
   * a grown table is filled before it is published. A reader racing a writer may miss an entry or
   * see a reference just removed, which the caller treats like any stale reference.
   */
  private static final class Shard {
    static final long TOMBSTONE = -1;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int maxEntries;
    private volatile long[] table;
    private int used;
    private int live;

    Shard(int maxEntries) {
      this.maxEntries = maxEntries;
      table = new long[256 * 3];
    }

    synchronized int size() {
      return live;
    }

    long get(long h1, long h2) {
      long[] t = table;
      int mask = t.length / 3 - 1;
      for (int i = (int) h1 & mask; ; i = (i + 1) & mask) {
        long ref = (long) SLOTS.getAcquire(t, i * 3 + 2);
        if (ref == 0) {
          return 0;
        }
        if (t[i * 3] == h1 && t[i * 3 + 1] == h2) {
          return ref == TOMBSTONE ? 0 : ref;
        }
      }
    }

    synchronized void put(long h1, long h2, long ref) {
      if (insert(table, h1, h2, ref)) {
        used++;
        live++;
        if (used * 4 > (table.length / 3) * 3) {
          grow();
        }
      }
    }

    /** Sets the slot of the key; returns true when it took an empty slot. Updates {@code live} otherwise. */
    private boolean insert(long[] t, long h1, long h2, long ref) {
      int mask = t.length / 3 - 1;
      for (int i = (int) h1 & mask; ; i = (i + 1) & mask) {
        long existing = t[i * 3 + 2];
        if (existing == 0) {
          if (ref == TOMBSTONE) {
            return false;
          }
          t[i * 3] = h1;
          t[i * 3 + 1] = h2;
          SLOTS.setRelease(t, i * 3 + 2, ref);
          return true;
        }
        if (t[i * 3] == h1 && t[i * 3 + 1] == h2) {
          if (existing == TOMBSTONE && ref != TOMBSTONE) {
            live++;
          } else if (existing != TOMBSTONE && ref == TOMBSTONE) {
            live--;
          }
          SLOTS.setRelease(t, i * 3 + 2, ref);
          return false;
        }
      }
    }

    private void grow() {
      long[] old = table;
      int capacity = live > maxEntries ? 256 : Integer.highestOneBit(Math.max(256, live * 4));
      long[] t = new long[capacity * 3];
      int n = 0;
      if (capacity != 256) {
        for (int i = 0; i < old.length; i += 3) {
          long r = old[i + 2];
          if (r != 0 && r != TOMBSTONE) {
            insert(t, old[i], old[i + 1], r);
            n++;
          }
        }
      }
      used = n;
      live = n;
      table = t;
    }
  }
}
