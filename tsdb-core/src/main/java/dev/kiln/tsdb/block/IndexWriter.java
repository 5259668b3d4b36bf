package dev.kiln.tsdb.block;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a block {@code index} file in Prometheus's format version 2
 * ({@code tsdb/docs/format/index.md}):
 *
 * <pre>
 * magic 0xBAAAD700 &lt;4b&gt; | version 2 &lt;1b&gt;
 * symbol table    len &lt;4b&gt; | #symbols &lt;4b&gt; | (len &lt;uvarint&gt; str)* | CRC32C &lt;4b&gt;
 * series          16-byte aligned; id = offset/16; len &lt;uvarint&gt; | #labels | (name ref, value ref)*
 *                 | #chunks | mint, maxt-mint, ref, then deltas | CRC32C &lt;4b&gt;
 * label indices   4-byte aligned; len | #names=1 | #entries | value symbol refs &lt;4b&gt;* | CRC32C
 * postings        4-byte aligned; len | #entries | series ids &lt;4b&gt;* | CRC32C; first the list
 *                 of all series under the empty name and value
 * label offset table    len | #entries | (1, name, offset)* | CRC32C
 * postings offset table len | #entries | (2, name, value, offset)* | CRC32C
 * TOC             six 8-byte section offsets | CRC32C &lt;4b&gt;
 * </pre>
 *
 * Symbols are given up front (every label name and value of every series; sorted by UTF-8 bytes
 * here); series must be added in label order. All checksums are CRC32 Castagnoli. Single-thread.
 */
public final class IndexWriter implements AutoCloseable {
  static final int MAGIC = 0xBAAAD700;
  static final int VERSION = 2;

  private final SequentialFileWriter out;
  private final Map<String, Integer> symbolIds = new HashMap<>();
  private final String[] symbols;
  /** name → value → series ids, collected while series are added. */
  private final TreeMap<String, TreeMap<String, IntList>> postings = new TreeMap<>(Utf8Order.COMPARATOR);
  private final IntList all = new IntList();
  private final EncodeBuffer buf = new EncodeBuffer(4096);
  private final long[] toc = new long[6];
  private Labels last;
  private long seriesCount;

  /**
   * Creates the file and writes the header and symbol table.
   *
   * @param symbols every distinct string of the series' labels (any order, no duplicates needed)
   */
  public IndexWriter(FileIo io, Path file, java.util.Collection<String> symbols) throws IOException {
    this.out = new SequentialFileWriter(io, file);
    String[] sorted = symbols.stream().distinct().toArray(String[]::new);
    Arrays.sort(sorted, Utf8Order.COMPARATOR);
    this.symbols = sorted;
    for (int i = 0; i < sorted.length; i++) {
      symbolIds.put(sorted[i], i);
    }
    buf.putBe32(MAGIC);
    buf.putByte(VERSION);
    out.write(buf);
    toc[0] = out.position();
    buf.reset();
    buf.putBe32(0);
    buf.putBe32(sorted.length);
    for (String s : sorted) {
      buf.putUvarintString(s);
    }
    finishSection();
  }

  /** Sets the 4-byte length at the start of {@link #buf}, appends the checksum and writes it. */
  private void finishSection() throws IOException {
    buf.setBe32(0, buf.length() - 4);
    buf.putBe32(buf.crc32c(4));
    out.write(buf);
  }

  private int symbol(String s) {
    Integer id = symbolIds.get(s);
    if (id == null) {
      throw new IllegalArgumentException("label string not in the symbol table: " + s);
    }
    return id;
  }

  /** Adds a series with its chunks (sorted by time, not overlapping). */
  public void addSeries(Labels labels, List<ChunkRef> chunks) throws IOException {
    if (last != null && last.compareTo(labels) >= 0) {
      throw new IllegalArgumentException("series out of order: " + labels + " after " + last);
    }
    last = labels;
    if (seriesCount == 0) {
      toc[1] = out.position(); // as Prometheus: the section starts before its alignment padding
    }
    out.pad(16);
    long offset = out.position();
    if (offset / 16 > 0xFFFFFFFFL) {
      throw new IllegalStateException("index exceeds the 64 GiB series section limit");
    }
    int id = (int) (offset / 16);
    buf.reset();
    buf.putUvarint(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      buf.putUvarint(symbol(labels.name(i)));
      buf.putUvarint(symbol(labels.value(i)));
      postings.computeIfAbsent(labels.name(i), k -> new TreeMap<>(Utf8Order.COMPARATOR))
          .computeIfAbsent(labels.value(i), k -> new IntList())
          .add(id);
    }
    all.add(id);
    buf.putUvarint(chunks.size());
    ChunkRef prev = null;
    for (ChunkRef c : chunks) {
      if (prev == null) {
        buf.putVarint(c.minTime());
        buf.putUvarint(c.maxTime() - c.minTime());
        buf.putUvarint(c.ref());
      } else {
        buf.putUvarint(c.minTime() - prev.maxTime());
        buf.putUvarint(c.maxTime() - c.minTime());
        buf.putVarint(c.ref() - prev.ref());
      }
      prev = c;
    }
    int contentLen = buf.length();
    int crc = buf.crc32c(0);
    EncodeBuffer lenBuf = new EncodeBuffer(10);
    lenBuf.putUvarint(contentLen);
    out.write(lenBuf);
    out.write(buf);
    buf.reset();
    buf.putBe32(crc);
    out.write(buf);
    seriesCount++;
  }

  /** Writes label indices, postings, offset tables and the TOC, then syncs and closes. */
  public void finish() throws IOException {
    if (seriesCount == 0) {
      toc[1] = out.position();
    }
    // Label indices, one per label name; each 4-byte aligned.
    List<String> names = new ArrayList<>(postings.keySet());
    long[] labelIndexOffsets = new long[names.size()];
    toc[2] = out.position();
    for (int i = 0; i < names.size(); i++) {
      out.pad(4);
      labelIndexOffsets[i] = out.position();
      buf.reset();
      buf.putBe32(0);
      buf.putBe32(1);
      TreeMap<String, IntList> values = postings.get(names.get(i));
      buf.putBe32(values.size());
      for (String v : values.keySet()) {
        buf.putBe32(symbol(v));
      }
      finishSection();
    }
    // Postings: all series first, then by name and value; each 4-byte aligned.
    List<String[]> keys = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    toc[4] = out.position();
    keys.add(new String[] {"", ""});
    offsets.add(writePostings(all));
    for (Map.Entry<String, TreeMap<String, IntList>> n : postings.entrySet()) {
      for (Map.Entry<String, IntList> v : n.getValue().entrySet()) {
        keys.add(new String[] {n.getKey(), v.getKey()});
        offsets.add(writePostings(v.getValue()));
      }
    }
    // Label offset table.
    toc[3] = out.position();
    buf.reset();
    buf.putBe32(0);
    buf.putBe32(names.size());
    for (int i = 0; i < names.size(); i++) {
      buf.putUvarint(1);
      buf.putUvarintString(names.get(i));
      buf.putUvarint(labelIndexOffsets[i]);
    }
    finishSection();
    // Postings offset table.
    toc[5] = out.position();
    buf.reset();
    buf.putBe32(0);
    buf.putBe32(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      buf.putUvarint(2);
      buf.putUvarintString(keys.get(i)[0]);
      buf.putUvarintString(keys.get(i)[1]);
      buf.putUvarint(offsets.get(i));
    }
    finishSection();
    // TOC.
    buf.reset();
    for (long t : toc) {
      buf.putBe64(t);
    }
    buf.putBe32(buf.crc32c(0));
    out.write(buf);
    out.finish();
  }

  private long writePostings(IntList ids) throws IOException {
    out.pad(4);
    long offset = out.position();
    buf.reset();
    buf.putBe32(0);
    buf.putBe32(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      buf.putBe32(ids.get(i));
    }
    finishSection();
    return offset;
  }

  /** Number of series added so far. */
  public long seriesCount() {
    return seriesCount;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** A growable list of ints. */
  static final class IntList {
    private int[] a = new int[4];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    int get(int i) {
      return a[i];
    }
  }
}
