package dev.kiln.server.remotewrite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Remembers which storage series a label set sent over remote write belongs to, keyed by the
 * label set's bytes in the 1.0 wire encoding (the {@code Label} fields of a {@code TimeSeries}; a
 * 2.0 series' labels are written in that encoding from its symbols). A sender repeats the same
 * bytes for a series in every request, so a known series costs one hash and one comparison of
 * its label bytes instead of decoding, validating, sorting and looking up its labels. Entries
 * keep a copy of their key bytes and a lookup compares them, so two label sets whose hashes
 * collide are told apart. Only label sets that passed validation are cached. A reference may go
 * stale when the storage drops the series; the caller then falls back to the labels and stores
 * the new reference.
 *
 * <p>Thread-safe: 16 shards, each locked by writers and read without locks. Bounded: a shard that
 * outgrows its share of {@code maxEntries} or {@code maxKeyBytes} is emptied and refills from
 * traffic. About 24 bytes per entry plus its key bytes.
 */
final class SeriesRefCache {
  private static final int SHARDS = 16;
  /** Key bytes are kept in chunks of this size; longer keys are not cached. */
  static final int CHUNK_BYTES = 1 << 16;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long SEED = 0x9E3779B97F4A7C15L;
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;

  private final Shard[] shards = new Shard[SHARDS];

  SeriesRefCache(int maxEntries, long maxKeyBytes) {
    int chunks = (int) Math.max(2, Math.min(1 << 16, maxKeyBytes / SHARDS / CHUNK_BYTES));
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard(Math.max(1024, maxEntries / SHARDS), chunks);
    }
  }

  /**
   * The hash of {@code len} key bytes at index {@code off} of {@code b}: four
   * independent lanes over 32-byte strides (so the multiplications overlap), then 8-byte words,
   * then the tail, mixed at the end.
   */
  static long hash(byte[] b, int off, int len) {
    long h = SEED ^ (len * P1);
    int i = off;
    int end = off + len;
    if (len >= 32) {
      long h1 = h;
      long h2 = h ^ P2;
      long h3 = h + P1;
      long h4 = h - SEED;
      for (; i + 32 <= end; i += 32) {
        h1 = round(h1, word(b, i));
        h2 = round(h2, word(b, i + 8));
        h3 = round(h3, word(b, i + 16));
        h4 = round(h4, word(b, i + 24));
      }
      h = Long.rotateLeft(h1, 1) + Long.rotateLeft(h2, 7) + Long.rotateLeft(h3, 12) + Long.rotateLeft(h4, 18);
    }
    for (; i + 8 <= end; i += 8) {
      h = round(h, word(b, i));
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xffL) << shift;
    }
    return mix(round(h, tail));
  }

  private static long word(byte[] b, int i) {
    return (long) LONGS.get(b, i);
  }

  private static long round(long h, long w) {
    return Long.rotateLeft(h + w * P2, 31) * P1;
  }

  /** The cached reference of the key whose bytes are {@code len} bytes at {@code off} of {@code b}, or 0. */
  long get(long hash, byte[] b, int off, int len) {
    return shard(hash).get(hash, b, off, len);
  }

  /**
   * Reads, for each of the first {@code n} keys that is not null, the table slot its lookup
   * starts at and, when that slot holds its hash, the first byte of the stored key; returns a
   * value that depends on what it read. A request's lookups each start with a cache miss or two
   * (the slot, the stored key); made in a loop of independent reads ahead of the lookups, the
   * misses of many keys overlap. Changes nothing.
   */
  long prefetch(long[] hashes, byte[][] keys, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      if (keys[i] != null) {
        sum += shard(hashes[i]).firstSlot(hashes[i]);
      }
    }
    for (int i = 0; i < n; i++) {
      if (keys[i] != null) {
        sum += shard(hashes[i]).firstKeyByte(hashes[i]);
      }
    }
    return sum;
  }

  /** Remembers the key's reference (a positive number); keys longer than {@link #CHUNK_BYTES} are not kept. */
  void put(long hash, byte[] b, int off, int len, long ref) {
    if (ref <= 0) {
      throw new IllegalArgumentException("series reference " + ref);
    }
    if (len <= CHUNK_BYTES) {
      shard(hash).put(hash, b, off, len, ref);
    }
  }

  /** Forgets the key's reference. */
  void remove(long hash, byte[] b, int off, int len) {
    if (len <= CHUNK_BYTES) {
      shard(hash).put(hash, b, off, len, Shard.TOMBSTONE);
    }
  }

  int size() {
    int n = 0;
    for (Shard s : shards) {
      n += s.size();
    }
    return n;
  }

  private Shard shard(long hash) {
    return shards[(int) (hash >>> 60) & (SHARDS - 1)];
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
   * Open addressing with linear probing over one array of {@code (hash, key location, ref)}
   * triples; a reference of 0 marks an empty slot. Key bytes are appended to chunks and never
   * overwritten. Writers lock; readers do not: an entry's hash, location and key bytes are written
   * before its reference (release) and never change afterwards, a grown table is filled before it
   * is published, and emptying the shard publishes a new table with new chunks. A reader racing a
   * writer may miss an entry or see a reference just removed, which the caller treats like any
   * stale reference.
   */
  private static final class Shard {
    static final long TOMBSTONE = -1;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    /** One generation of the shard: emptying starts a new one. */
    private static final class Table {
      final long[] slots;
      final byte[][] chunks;

      Table(int capacity, byte[][] chunks) {
        this.slots = new long[capacity * 3];
        this.chunks = chunks;
      }
    }

    private final int maxEntries;
    private final int maxChunks;
    private volatile Table table;
    private int used;
    private int live;
    private int chunk;
    private int chunkUsed;

    Shard(int maxEntries, int maxChunks) {
      this.maxEntries = maxEntries;
      this.maxChunks = maxChunks;
      table = new Table(256, new byte[maxChunks][]);
      chunk = -1;
    }

    synchronized int size() {
      return live;
    }

    long get(long hash, byte[] b, int off, int len) {
      Table t = table;
      long[] s = t.slots;
      int mask = s.length / 3 - 1;
      for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
        long ref = (long) SLOTS.getAcquire(s, i * 3 + 2);
        if (ref == 0) {
          return 0;
        }
        if (s[i * 3] == hash && keyEquals(t.chunks, s[i * 3 + 1], b, off, len)) {
          return ref == TOMBSTONE ? 0 : ref;
        }
      }
    }

    /** The reference word of the slot a lookup of {@code hash} starts at. */
    long firstSlot(long hash) {
      long[] s = table.slots;
      return (long) SLOTS.getAcquire(s, ((int) hash & (s.length / 3 - 1)) * 3 + 2);
    }

    /** The first byte of the key in the slot a lookup of {@code hash} starts at, if the slot holds that hash; else 0. */
    int firstKeyByte(long hash) {
      Table t = table;
      long[] s = t.slots;
      int i = ((int) hash & (s.length / 3 - 1)) * 3;
      long ref = (long) SLOTS.getAcquire(s, i + 2);
      if (ref == 0 || s[i] != hash) {
        return 0;
      }
      long location = s[i + 1];
      return t.chunks[(int) (location >>> 40)][(int) (location >>> 20) & 0xfffff];
    }

    synchronized void put(long hash, byte[] b, int off, int len, long ref) {
      Table t = table;
      long[] s = t.slots;
      int mask = s.length / 3 - 1;
      for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
        long existing = s[i * 3 + 2];
        if (existing == 0) {
          break;
        }
        if (s[i * 3] == hash && keyEquals(t.chunks, s[i * 3 + 1], b, off, len)) {
          if (existing == TOMBSTONE && ref != TOMBSTONE) {
            live++;
          } else if (existing != TOMBSTONE && ref == TOMBSTONE) {
            live--;
          }
          SLOTS.setRelease(s, i * 3 + 2, ref);
          return;
        }
      }
      if (ref == TOMBSTONE) {
        return;
      }
      if (live >= maxEntries || (chunkUsed + len > CHUNK_BYTES && chunk + 1 >= maxChunks)) {
        empty();
        t = table;
      }
      long location = store(t.chunks, b, off, len);
      insert(t.slots, hash, location, ref);
      used++;
      live++;
      if (used * 4 > (t.slots.length / 3) * 3) {
        grow();
      }
    }

    /** Copies the key into the current chunk (a new one when it is full); returns its location. */
    private long store(byte[][] chunks, byte[] b, int off, int len) {
      if (chunk < 0 || chunkUsed + len > CHUNK_BYTES) {
        chunk++;
        chunks[chunk] = new byte[CHUNK_BYTES];
        chunkUsed = 0;
      }
      System.arraycopy(b, off, chunks[chunk], chunkUsed, len);
      long location = (long) chunk << 40 | (long) chunkUsed << 20 | len;
      chunkUsed += len;
      return location;
    }

    private static void insert(long[] s, long hash, long location, long ref) {
      int mask = s.length / 3 - 1;
      for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
        if (s[i * 3 + 2] == 0) {
          s[i * 3] = hash;
          s[i * 3 + 1] = location;
          SLOTS.setRelease(s, i * 3 + 2, ref);
          return;
        }
      }
    }

    /** A table twice the size with the live entries; keys stay in their chunks. */
    private void grow() {
      Table old = table;
      Table t = new Table(old.slots.length / 3 * 2, old.chunks);
      int n = 0;
      for (int i = 0; i < old.slots.length; i += 3) {
        long r = old.slots[i + 2];
        if (r != 0 && r != TOMBSTONE) {
          insert(t.slots, old.slots[i], old.slots[i + 1], r);
          n++;
        }
      }
      used = n;
      live = n;
      table = t;
    }

    /** Forgets everything: a new, small table with new chunks (readers of the old one are unaffected). */
    private void empty() {
      table = new Table(256, new byte[maxChunks][]);
      used = 0;
      live = 0;
      chunk = -1;
      chunkUsed = 0;
    }

    private static boolean keyEquals(byte[][] chunks, long location, byte[] b, int off, int len) {
      if ((int) (location & 0xfffff) != len) {
        return false;
      }
      byte[] c = chunks[(int) (location >>> 40)];
      int at = (int) (location >>> 20) & 0xfffff;
      return Arrays.equals(c, at, at + len, b, off, off + len);
    }
  }
}
