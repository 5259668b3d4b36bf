package dev.kiln.tsdb.block;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A block's deleted intervals per series id, and its {@code tombstones} file
 * ({@code tsdb/docs/format/tombstones.md}): {@code magic 0x0130BA30 <4b> | version 1 <1b> |
 * (series ref <uvarint64>, mint <varint64>, maxt <varint64>)* | CRC32C <4b>} with the checksum
 * over the entries. Immutable once built; thread-safe.
 */
public final class Tombstones {
  static final int MAGIC = 0x0130BA30;
  public static final String FILE = "tombstones";
  public static final Tombstones EMPTY = new Tombstones(new TreeMap<>());

  private final TreeMap<Long, List<Interval>> bySeries;

  private Tombstones(TreeMap<Long, List<Interval>> bySeries) {
    this.bySeries = bySeries;
  }

  /** Builds from series id → intervals (merged per series). */
  public static Tombstones of(Map<Long, List<Interval>> in) {
    TreeMap<Long, List<Interval>> m = new TreeMap<>();
    in.forEach((k, v) -> {
      if (!v.isEmpty()) {
        m.put(k, List.copyOf(Interval.union(v)));
      }
    });
    return new Tombstones(m);
  }

  /** This plus more intervals. */
  public Tombstones plus(Map<Long, List<Interval>> more) {
    Map<Long, List<Interval>> m = new TreeMap<>();
    bySeries.forEach((k, v) -> m.put(k, new ArrayList<>(v)));
    more.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    return of(m);
  }

  /** Sorted deleted intervals of a series, empty when none. */
  public List<Interval> get(long seriesId) {
    return bySeries.getOrDefault(seriesId, Collections.emptyList());
  }

  public boolean isEmpty() {
    return bySeries.isEmpty();
  }

  /** Number of intervals in total. */
  public long count() {
    long n = 0;
    for (List<Interval> l : bySeries.values()) {
      n += l.size();
    }
    return n;
  }

  /** Series ids with tombstones, ascending. */
  public Iterable<Long> seriesIds() {
    return bySeries.keySet();
  }

  /** Encodes the file content. */
  public byte[] encode() {
    EncodeBuffer b = new EncodeBuffer(64);
    b.putBe32(MAGIC);
    b.putByte(1);
    for (Map.Entry<Long, List<Interval>> e : bySeries.entrySet()) {
      for (Interval iv : e.getValue()) {
        b.putUvarint(e.getKey());
        b.putVarint(iv.minTime());
        b.putVarint(iv.maxTime());
      }
    }
    b.putBe32(b.crc32c(5));
    return java.util.Arrays.copyOf(b.array(), b.length());
  }

  /** Writes {@code dir/tombstones} via a temporary file and an atomic rename. */
  public void write(FileIo io, Path dir) throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    io.deleteRecursively(tmp);
    try (SequentialFileWriter w = new SequentialFileWriter(io, tmp)) {
      byte[] data = encode();
      w.write(data, 0, data.length);
      w.finish();
    }
    io.rename(tmp, dir.resolve(FILE));
    io.syncDirectory(dir);
  }

  /**
   * Reads {@code dir/tombstones}; a missing file means no tombstones.
   *
   * @throws BlockCorruptException on a bad magic, version or checksum
   */
  public static Tombstones read(FileIo io, Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!io.exists(f)) {
      return EMPTY;
    }
    return decode(io.readAll(f), f);
  }

  static Tombstones decode(byte[] data, Path file) {
    if (data.length < 9) {
      throw new BlockCorruptException(file, 0, "tombstones file too short: " + data.length + " bytes");
    }
    DecodeBuffer d = new DecodeBuffer(data, 0, data.length);
    if (d.be32() != MAGIC) {
      throw new BlockCorruptException(file, 0, "bad tombstones magic");
    }
    int version = d.u8();
    if (version != 1) {
      throw new BlockCorruptException(file, 4, "unsupported tombstones version " + version);
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 5, data.length - 9);
    DecodeBuffer tail = new DecodeBuffer(data, data.length - 4, data.length);
    if ((int) crc.getValue() != tail.be32()) {
      throw new BlockCorruptException(file, data.length - 4, "tombstones checksum mismatch");
    }
    Map<Long, List<Interval>> m = new TreeMap<>();
    DecodeBuffer body = new DecodeBuffer(data, 5, data.length - 4);
    while (body.remaining() > 0) {
      long ref = body.uvarint();
      long mint = body.varint();
      long maxt = body.varint();
      m.computeIfAbsent(ref, k -> new ArrayList<>()).add(new Interval(mint, maxt));
    }
    return of(m);
  }
}
