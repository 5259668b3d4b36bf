package dev.kiln.tsdb.block;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.index.BitmapPostings;
import dev.kiln.tsdb.index.ListPostings;
import dev.kiln.tsdb.index.Postings;
import dev.kiln.tsdb.index.PostingsReader;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads an index file of format version 2 (see {@link IndexWriter}) through a memory mapping.
 * Opening checks the magic, version and the checksums of the TOC, symbol table and postings
 * offset table, and keeps only the positions of every 32nd symbol and every 32nd postings offset
 * table entry in memory (the rest is read from the mapping on lookup, as Prometheus does); series entries
 * and postings lists are read (and their checksums verified) on demand. Postings lists of more
 * than {@value #BITMAP_THRESHOLD} series decode into RoaringBitmaps, so intersections of large
 * lists run as bitmap operations. Thread-safe; {@link #close()} unmaps.
 */
public final class IndexReader implements PostingsReader, AutoCloseable {
  static final int BITMAP_THRESHOLD = 64;
  private final MappedFile file;
  /** File positions of every {@value #SAMPLE}th symbol table entry. */
  private final long[] symbolPositions;
  private final int symbolCount;
  /** Every {@value #SAMPLE}th postings offset table entry is kept in memory, as Prometheus does. */
  static final int SAMPLE = 32;
  /** name → sampled entries of the postings offset table for that name. */
  private final Map<String, SampledEntries> postingsOffsets;
  private final long allPostingsOffset;

  /** A series' labels and chunk references. */
  public record SeriesEntry(Labels labels, List<ChunkRef> chunks) {}

  public IndexReader(FileIo io, Path path) throws IOException {
    this.file = new MappedFile(io, path);
    try {
      if (file.size() < 5 + 52) {
        throw corrupt(0, "index too short: " + file.size() + " bytes");
      }
      if (file.be32(0) != IndexWriter.MAGIC) {
        throw corrupt(0, "bad index magic");
      }
      int version = file.get(4) & 0xff;
      if (version != 2) {
        throw corrupt(4, "unsupported index version " + version + " (Kiln reads version 2)");
      }
      long tocAt = file.size() - 52;
      byte[] toc = file.bytes(tocAt, 52);
      checkCrc(toc, 0, 48, toc, 48, tocAt + 48, "TOC");
      DecodeBuffer t = new DecodeBuffer(toc, 0, 48);
      long symbolsAt = t.be64();
      t.be64();
      t.be64();
      t.be64();
      t.be64();
      long postingsTableAt = t.be64();
      long[][] pos = new long[1][];
      this.symbolCount = readSymbols(symbolsAt, pos);
      this.symbolPositions = pos[0];
      this.postingsOffsets = new TreeMap<>(Utf8Order.COMPARATOR);
      this.allPostingsOffset = readPostingsTable(postingsTableAt);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private BlockCorruptException corrupt(long at, String what) {
    return new BlockCorruptException(file.path(), at, what);
  }

  private void checkCrc(byte[] data, int from, int len, byte[] crcBytes, int crcAt, long fileAt, String what) {
    CRC32C c = new CRC32C();
    c.update(data, from, len);
    int want = new DecodeBuffer(crcBytes, crcAt, crcAt + 4).be32();
    if ((int) c.getValue() != want) {
      throw corrupt(fileAt, what + " checksum mismatch");
    }
  }

  /** Reads a section {@code len <4b> | content | CRC32C} at {@code at}; returns the content. */
  private byte[] section(long at, String what) {
    if (at <= 0 || at + 8 > file.size()) {
      throw corrupt(at, what + " offset out of range");
    }
    long len = file.be32(at) & 0xFFFFFFFFL;
    if (at + 4 + len + 4 > file.size()) {
      throw corrupt(at, what + " length " + len + " beyond the end of the file");
    }
    byte[] all = file.bytes(at + 4, (int) len + 4);
    checkCrc(all, 0, (int) len, all, (int) len, at + 4 + len, what);
    return all;
  }

  /** Verifies the symbol table, records every 32nd entry's position; returns the count. */
  private int readSymbols(long at, long[][] positions) {
    byte[] b = section(at, "symbol table");
    DecodeBuffer d = new DecodeBuffer(b, 0, b.length - 4);
    int n = d.be32();
    if (n < 0) {
      throw corrupt(at, "negative symbol count");
    }
    long[] pos = new long[(n + SAMPLE - 1) / SAMPLE];
    try {
      for (int i = 0; i < n; i++) {
        if (i % SAMPLE == 0) {
          pos[i / SAMPLE] = at + 4 + d.position();
        }
        d.uvarintString();
      }
    } catch (IllegalStateException e) {
      throw corrupt(at, "symbol table: " + e.getMessage());
    }
    positions[0] = pos;
    return n;
  }

  /**
   * The entries of one label name in the postings offset table: values and file positions of
   * every {@value #SAMPLE}th entry (the first included), and where the name's entries end.
   */
  private record SampledEntries(String[] values, long[] positions, long end, int count) {}

  /** A decoded postings offset table entry and the file position after it. */
  private record Entry(String value, long postingsOffset, long next) {}

  private long readPostingsTable(long at) {
    byte[] b = section(at, "postings offset table");
    DecodeBuffer d = new DecodeBuffer(b, 0, b.length - 4);
    long base = at + 4; // file position of b[0]
    int n = d.be32();
    long all = -1;
    String curName = null;
    List<String> vals = new ArrayList<>();
    List<Long> pos = new ArrayList<>();
    int count = 0;
    try {
      for (int i = 0; i < n; i++) {
        long entryPos = base + d.position();
        int keys = (int) d.uvarint();
        if (keys != 2) {
          throw corrupt(at, "postings offset entry with " + keys + " keys");
        }
        String name = d.uvarintString();
        String value = d.uvarintString();
        long off = d.uvarint();
        if (name.isEmpty() && value.isEmpty()) {
          all = off;
          continue;
        }
        if (!name.equals(curName)) {
          if (curName != null) {
            putSampled(curName, vals, pos, entryPos, count);
          }
          curName = name;
          vals.clear();
          pos.clear();
          count = 0;
        }
        if (count % SAMPLE == 0) {
          vals.add(value);
          pos.add(entryPos);
        }
        count++;
      }
      if (curName != null) {
        putSampled(curName, vals, pos, base + d.position(), count);
      }
    } catch (IllegalStateException e) {
      throw corrupt(at, "postings offset table: " + e.getMessage());
    }
    return all;
  }

  private void putSampled(String name, List<String> vals, List<Long> pos, long end, int count) {
    postingsOffsets.put(name, new SampledEntries(
        vals.toArray(new String[0]), pos.stream().mapToLong(Long::longValue).toArray(), end, count));
  }

  /** Decodes the postings offset table entry at {@code pos}. */
  private Entry entryAt(long pos) {
    int[] sz = new int[1];
    long p = pos;
    file.uvarint(p, sz);
    p += sz[0];
    long nameLen = file.uvarint(p, sz);
    p += sz[0] + nameLen;
    long valueLen = file.uvarint(p, sz);
    p += sz[0];
    if (valueLen > Integer.MAX_VALUE) {
      throw corrupt(pos, "postings offset entry value too long");
    }
    String value = new String(file.bytes(p, (int) valueLen), java.nio.charset.StandardCharsets.UTF_8);
    p += valueLen;
    long off = file.uvarint(p, sz);
    return new Entry(value, off, p + sz[0]);
  }

  /** The postings offset of {@code name=value}, or -1 when absent. */
  private long postingsOffset(SampledEntries e, String value) {
    int lo = 0;
    int hi = e.values.length - 1;
    int found = -1;
    while (lo <= hi) { // last sample <= value
      int mid = (lo + hi) >>> 1;
      if (Utf8Order.compare(e.values[mid], value) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) {
      return -1;
    }
    long end = found + 1 < e.positions.length ? e.positions[found + 1] : e.end;
    for (long p = e.positions[found]; p < end; ) {
      Entry x = entryAt(p);
      int c = Utf8Order.compare(x.value, value);
      if (c == 0) {
        return x.postingsOffset;
      }
      if (c > 0) {
        return -1;
      }
      p = x.next;
    }
    return -1;
  }

  /** The symbol with the given sequence number, read from the mapping. */
  public String symbol(long id) {
    if (id < 0 || id >= symbolCount) {
      throw corrupt(-1, "symbol reference " + id + " out of range");
    }
    int[] sz = new int[1];
    long p = symbolPositions[(int) (id / SAMPLE)];
    for (long k = id % SAMPLE; k > 0; k--) {
      long len = file.uvarint(p, sz);
      p += sz[0] + len;
    }
    long len = file.uvarint(p, sz);
    if (len > Integer.MAX_VALUE) {
      throw corrupt(p, "symbol too long");
    }
    return new String(file.bytes(p + sz[0], (int) len), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Recently read symbols of one index by reference, a fixed number of slots (direct-mapped), for
   * one reader of series at a time. The index is immutable, so a cached symbol is always the
   * symbol. Not thread-safe.
   */
  public static final class SymbolCache {
    private static final int SLOTS = 1024;
    private final long[] refs = new long[SLOTS];
    private final String[] values = new String[SLOTS];

    /** Creates an empty cache. */
    public SymbolCache() {
      java.util.Arrays.fill(refs, -1);
    }

    String get(IndexReader index, long ref) {
      int slot = (int) (ref & (SLOTS - 1));
      if (refs[slot] == ref) {
        return values[slot];
      }
      String v = index.symbol(ref);
      refs[slot] = ref;
      values[slot] = v;
      return v;
    }
  }

  /** Number of symbols. */
  public int symbolCount() {
    return symbolCount;
  }

  /** All symbols, sorted (read from the mapping). */
  public List<String> symbols() {
    List<String> out = new ArrayList<>(symbolCount);
    if (symbolCount == 0) {
      return out;
    }
    int[] sz = new int[1];
    long p = symbolPositions[0];
    for (int i = 0; i < symbolCount; i++) {
      long len = file.uvarint(p, sz);
      out.add(new String(file.bytes(p + sz[0], (int) len), java.nio.charset.StandardCharsets.UTF_8));
      p += sz[0] + len;
    }
    return out;
  }

  /** Sorted label names present in the index. */
  public List<String> labelNames() {
    return new ArrayList<>(postingsOffsets.keySet());
  }

  /** Sorted values of a label, read from the postings offset table. */
  @Override
  public Collection<String> labelValues(String name) {
    SampledEntries e = postingsOffsets.get(name);
    if (e == null) {
      return Collections.emptyList();
    }
    List<String> out = new ArrayList<>(e.count);
    for (long p = e.positions[0]; p < e.end; ) {
      Entry x = entryAt(p);
      out.add(x.value);
      p = x.next;
    }
    return out;
  }

  @Override
  public Postings postings(String name, Collection<String> values) {
    SampledEntries e = postingsOffsets.get(name);
    if (e == null) {
      return Postings.EMPTY;
    }
    List<Postings> lists = new ArrayList<>();
    for (String v : values) {
      long off = postingsOffset(e, v);
      if (off >= 0) {
        lists.add(readPostings(off));
      }
    }
    if (lists.isEmpty()) {
      return Postings.EMPTY;
    }
    if (lists.size() == 1) {
      return lists.get(0);
    }
    boolean allBitmaps = lists.stream().allMatch(p -> p instanceof BitmapPostings);
    if (allBitmaps) {
      RoaringBitmap union = new RoaringBitmap();
      for (Postings p : lists) {
        union.or(((BitmapPostings) p).bitmap());
      }
      return new BitmapPostings(union);
    }
    return Postings.merge(lists);
  }

  @Override
  public Postings allPostings() {
    return allPostingsOffset < 0 ? Postings.EMPTY : readPostings(allPostingsOffset);
  }

  /** Reads the postings list at {@code off}, verifying its checksum. */
  Postings readPostings(long off) {
    byte[] b = section(off, "postings list");
    DecodeBuffer d = new DecodeBuffer(b, 0, b.length - 4);
    int n = d.be32();
    if (n < 0 || (long) n * 4 > d.remaining()) {
      throw corrupt(off, "postings list length " + n + " exceeds its section");
    }
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = d.be32();
    }
    if (n > BITMAP_THRESHOLD) {
      RoaringBitmap bm = new RoaringBitmap();
      bm.addN(ids, 0, n);
      return new BitmapPostings(bm);
    }
    long[] refs = new long[n];
    for (int i = 0; i < n; i++) {
      refs[i] = ids[i] & 0xFFFFFFFFL;
    }
    return new ListPostings(refs);
  }

  /** Reads the series with the given id (offset / 16), verifying its checksum. */
  public SeriesEntry series(long id) {
    return series(id, null);
  }

  /**
   * Same, looking symbols up in {@code symbols} first (null: none), for callers that read many
   * series one after the other: their labels share most symbols, which are then decoded once.
   */
  public SeriesEntry series(long id, SymbolCache symbols) {
    long at = id * 16;
    int[] sz = new int[1];
    long len = file.uvarint(at, sz);
    if (len > Integer.MAX_VALUE - 8 || at + sz[0] + len + 4 > file.size()) {
      throw corrupt(at, "series length " + len + " beyond the end of the file");
    }
    byte[] b = file.bytes(at + sz[0], (int) len + 4);
    checkCrc(b, 0, (int) len, b, (int) len, at + sz[0] + len, "series");
    DecodeBuffer d = new DecodeBuffer(b, 0, (int) len);
    try {
      int nl = (int) d.uvarint();
      String[] pairs = new String[nl * 2];
      for (int i = 0; i < nl * 2; i++) {
        long ref = d.uvarint();
        pairs[i] = symbols == null ? symbol(ref) : symbols.get(this, ref);
      }
      int nc = (int) d.uvarint();
      List<ChunkRef> chunks = new ArrayList<>(nc);
      long prevMax = 0;
      long prevRef = 0;
      for (int i = 0; i < nc; i++) {
        long mint;
        long ref;
        if (i == 0) {
          mint = d.varint();
          long maxt = mint + d.uvarint();
          ref = d.uvarint();
          prevMax = maxt;
        } else {
          mint = prevMax + d.uvarint();
          prevMax = mint + d.uvarint();
          ref = prevRef + d.varint();
        }
        prevRef = ref;
        chunks.add(new ChunkRef(mint, prevMax, ref));
      }
      return new SeriesEntry(Labels.ofSortedUnchecked(pairs), chunks);
    } catch (IllegalStateException e) {
      throw corrupt(at, "series: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    file.close();
  }

  /** Maps the file afresh (see {@link MappedFile#releaseResidentPages()}); the block must be open. */
  void releaseResidentPages() throws IOException {
    file.releaseResidentPages();
  }

  /** See {@link MappedFile#dropResidentPages()}; the block must be open. */
  boolean dropResidentPages() {
    return file.dropResidentPages();
  }
}
