package dev.kiln.tsdb.block;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads an index file of format version 2 (see {@link IndexWriter}) through a memory mapping.
 * Opening checks the magic, version and the checksums of the TOC, symbol table and postings
 * offset table, and loads the symbols and the postings offset table into memory; series entries
 * and postings lists are read (and their checksums verified) on demand. Postings lists of more
 * than {@value #BITMAP_THRESHOLD} series decode into RoaringBitmaps, so intersections of large
 * lists run as bitmap operations. Thread-safe; {@link #close()} unmaps.
 */
public final class IndexReader implements PostingsReader, AutoCloseable {
  static final int BITMAP_THRESHOLD = 64;
  private final MappedFile file;
  private final String[] symbols;
  /** name → value → offset of its postings list, both sorted. */
  private final Map<String, Map<String, Long>> postingsOffsets;
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
      this.symbols = readSymbols(symbolsAt);
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

  private String[] readSymbols(long at) {
    byte[] b = section(at, "symbol table");
    DecodeBuffer d = new DecodeBuffer(b, 0, b.length - 4);
    int n = d.be32();
    String[] out = new String[n];
    try {
      for (int i = 0; i < n; i++) {
        out[i] = d.uvarintString();
      }
    } catch (IllegalStateException e) {
      throw corrupt(at, "symbol table: " + e.getMessage());
    }
    return out;
  }

  private long readPostingsTable(long at) {
    byte[] b = section(at, "postings offset table");
    DecodeBuffer d = new DecodeBuffer(b, 0, b.length - 4);
    int n = d.be32();
    long all = -1;
    try {
      for (int i = 0; i < n; i++) {
        int keys = (int) d.uvarint();
        if (keys != 2) {
          throw corrupt(at, "postings offset entry with " + keys + " keys");
        }
        String name = d.uvarintString();
        String value = d.uvarintString();
        long off = d.uvarint();
        if (name.isEmpty() && value.isEmpty()) {
          all = off;
        } else {
          postingsOffsets.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(value, off);
        }
      }
    } catch (IllegalStateException e) {
      throw corrupt(at, "postings offset table: " + e.getMessage());
    }
    return all;
  }

  public String symbol(long id) {
    if (id < 0 || id >= symbols.length) {
      throw corrupt(-1, "symbol reference " + id + " out of range");
    }
    return symbols[(int) id];
  }

  /** Number of symbols. */
  public int symbolCount() {
    return symbols.length;
  }

  /** All symbols, sorted. */
  public List<String> symbols() {
    return List.of(symbols);
  }

  /** Sorted label names present in the index. */
  public List<String> labelNames() {
    return new ArrayList<>(postingsOffsets.keySet());
  }

  /** Sorted values of a label. */
  @Override
  public Collection<String> labelValues(String name) {
    Map<String, Long> m = postingsOffsets.get(name);
    return m == null ? Collections.emptyList() : Collections.unmodifiableCollection(m.keySet());
  }

  @Override
  public Postings postings(String name, Collection<String> values) {
    Map<String, Long> m = postingsOffsets.get(name);
    if (m == null) {
      return Postings.EMPTY;
    }
    List<Postings> lists = new ArrayList<>();
    for (String v : values) {
      Long off = m.get(v);
      if (off != null) {
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
        pairs[i] = symbol(d.uvarint());
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
}
