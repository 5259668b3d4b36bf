package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ULIDs, meta.json, tombstones, mapped windows and corruption detection. */
class BlockFormatTest {
  @TempDir Path dir;

  @Test
  void ulidRoundTripsAndSortsByTime() {
    Ulid a = Ulid.generate(1_700_000_000_000L);
    Ulid b = Ulid.generate(1_700_000_000_001L);
    assertEquals(26, a.toString().length());
    assertEquals(a, Ulid.parse(a.toString()));
    assertEquals(a, Ulid.parse(a.toString().toLowerCase()));
    assertEquals(1_700_000_000_000L, a.timeMillis());
    assertTrue(a.compareTo(b) < 0 && a.toString().compareTo(b.toString()) < 0);
    // A ULID from the ulid reference implementation: time 1469918176385.
    assertEquals(1469918176385L, Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAV").timeMillis());
    assertEquals("01ARYZ6S41TSV4RRFFQ69G5FAV", Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAV").toString());
    assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FA"));
    assertThrows(IllegalArgumentException.class, () -> Ulid.parse("81ARYZ6S41TSV4RRFFQ69G5FAV"));
    assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAU"));
  }

  @Test
  void metaJsonRoundTripsAndReadsPrometheusOutput() {
    Ulid u = Ulid.parse("01BKGV7JBM69T2G1BGBGM6KB12");
    Ulid p = Ulid.parse("01BKGTZQ1SYQJTR4PB43C8PD98");
    BlockMeta m = new BlockMeta(u, 1000, 8_200_000, 10, 2, 3, 1, 2, List.of(p, u), List.of(new BlockMeta.Parent(p, 1000, 5000)), false);
    assertEquals(m, MetaJson.parse(MetaJson.write(m)));
    String prom = "{\n\t\"ulid\": \"01BKGV7JBM69T2G1BGBGM6KB12\",\n\t\"minTime\": 1602237600000,\n"
        + "\t\"maxTime\": 1602244800000,\n\t\"stats\": {\n\t\t\"numSamples\": 553673232,\n"
        + "\t\t\"numSeries\": 1346066,\n\t\t\"numChunks\": 4440437\n\t},\n\t\"compaction\": {\n"
        + "\t\t\"level\": 1,\n\t\t\"sources\": [\n\t\t\t\"01BKGV7JBM69T2G1BGBGM6KB12\"\n\t\t]\n\t},\n"
        + "\t\"version\": 1\n}";
    BlockMeta parsed = MetaJson.parse(prom);
    assertEquals(1602237600000L, parsed.minTime());
    assertEquals(553673232L, parsed.numSamples());
    assertEquals(List.of(u), parsed.sources());
    assertEquals(prom, MetaJson.write(parsed));
    assertThrows(IllegalArgumentException.class, () -> MetaJson.parse(prom.replace("\"version\": 1", "\"version\": 2")));
    assertThrows(IllegalArgumentException.class, () -> MetaJson.parse(prom.substring(0, 40)));
  }

  @Test
  void tombstonesRoundTripAndRejectBadChecksums() throws Exception {
    Tombstones t = Tombstones.of(Map.of(3L, List.of(new Interval(10, 20), new Interval(15, 30)), 7L, List.of(new Interval(-5, 5))));
    assertEquals(List.of(new Interval(10, 30)), t.get(3));
    t.write(FileIo.DEFAULT, dir);
    Tombstones back = Tombstones.read(FileIo.DEFAULT, dir);
    assertEquals(t.get(3), back.get(3));
    assertEquals(t.get(7), back.get(7));
    assertEquals(2, back.count());
    byte[] raw = Files.readAllBytes(dir.resolve("tombstones"));
    assertArrayEquals(t.encode(), raw);
    raw[6] ^= 1;
    Files.write(dir.resolve("tombstones"), raw);
    assertThrows(BlockCorruptException.class, () -> Tombstones.read(FileIo.DEFAULT, dir));
  }

  @Test
  void mappedFileStitchesReadsAcrossWindows() throws Exception {
    byte[] data = new byte[1000];
    new Random(1).nextBytes(data);
    Path f = dir.resolve("f");
    Files.write(f, data);
    try (MappedFile m = new MappedFile(FileIo.DEFAULT, f, 6)) { // 64-byte windows
      for (int pos = 0; pos < 990; pos += 7) {
        byte[] want = java.util.Arrays.copyOfRange(data, pos, pos + 10);
        assertArrayEquals(want, m.bytes(pos, 10));
        assertEquals(data[pos], m.get(pos));
      }
      assertThrows(BlockCorruptException.class, () -> m.bytes(995, 10));
    }
  }

  /** Drops the samples of series with job="node" in [lo, hi], as a deletion would. */
  private static Appendable withoutNodeSamples(Appendable target, long lo, long hi) {
    return () -> {
      Appender a = target.appender();
      return new Appender() {
        @Override
        public long append(long ref, Labels l, long t, double v, AppendOptions o) {
          if ("node".equals(l.get("job")) && t >= lo && t <= hi) {
            return 0;
          }
          return a.append(ref, l, t, v, o);
        }

        @Override
        public void commit(dev.kiln.tsdb.storage.Durability durability) {
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    };
  }

  private Path writeBlock(Head head, Appendable oracle) throws Exception {
    BlockRoundTripTest.fill(new Random(7), head, oracle, 10, 3_600_000L);
    BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BlockRoundTripTest.BASE, BlockRoundTripTest.BASE + 7_200_000L);
    return dir.resolve(meta.ulid().toString());
  }

  @Test
  void corruptIndexOrChunkIsReportedWithFileAndOffset() throws Exception {
    Path b = writeBlock(Head.inMemory(), new InMemoryStorage());
    Path index = b.resolve("index");
    byte[] orig = Files.readAllBytes(index);
    byte[] bad = orig.clone();
    bad[bad.length - 10] ^= 0x40; // inside the TOC
    Files.write(index, bad);
    BlockCorruptException e = assertThrows(BlockCorruptException.class, () -> Block.open(FileIo.DEFAULT, b));
    assertEquals(index, e.file());
    Files.write(index, orig);
    Path seg = b.resolve("chunks").resolve("000001");
    byte[] chunks = Files.readAllBytes(seg);
    chunks[20] ^= 0x01; // inside the first chunk
    Files.write(seg, chunks);
    try (Block block = Block.open(FileIo.DEFAULT, b)) {
      BlockCorruptException ce = assertThrows(BlockCorruptException.class,
          () -> StorageAssertions.dump(block, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.regex("__name__", ".+")));
      assertEquals(seg, ce.file());
    }
  }

  @Test
  void deletionWritesTombstonesThatHideSamples() throws Exception {
    InMemoryStorage oracle = new InMemoryStorage();
    long base = BlockRoundTripTest.BASE;
    Path b = writeBlock(Head.inMemory(), withoutNodeSamples(oracle, base + 600_000, base + 1_200_000));
    LabelMatcher job = LabelMatcher.equal("job", "node");
    try (Block block = Block.open(FileIo.DEFAULT, b)) {
      assertEquals(5, block.delete(base + 600_000, base + 1_200_000, job));
      StorageAssertions.assertSameView(oracle, block, base, base + 7_200_000, "after delete", LabelMatcher.regex("__name__", ".+"));
    }
    try (Block reopened = Block.open(FileIo.DEFAULT, b)) {
      assertEquals(5, reopened.meta().numTombstones());
      StorageAssertions.assertSameView(oracle, reopened, base, base + 7_200_000, "reopened", LabelMatcher.regex("__name__", ".+"));
    }
  }

  @Test
  void chunksSpreadOverSeveralSegmentsReadBack() throws Exception {
    Head head = Head.inMemory();
    InMemoryStorage oracle = new InMemoryStorage();
    BlockRoundTripTest.fill(new Random(3), head, oracle, 30, 2 * 3_600_000L);
    java.util.List<dev.kiln.tsdb.head.SeriesChunks> all = new java.util.ArrayList<>();
    long base = BlockRoundTripTest.BASE;
    head.forEachSeriesChunks(base, base + 7_200_000L - 1, all::add);
    all.sort(java.util.Comparator.comparing(dev.kiln.tsdb.head.SeriesChunks::labels));
    java.util.Set<String> symbols = new java.util.HashSet<>();
    all.forEach(sc -> sc.labels().forEach((n, v) -> {
      symbols.add(n);
      symbols.add(v);
    }));
    Ulid u = Ulid.generate(System.currentTimeMillis());
    BlockMeta template = new BlockMeta(u, base, base + 7_200_000L, 0, 0, 0, 0, 1, List.of(u), List.of(), false);
    BlockMeta meta = BlockWriter.write(FileIo.DEFAULT, dir, template, symbols,
        all.stream().map(sc -> new BlockSeries(sc.labels(), sc.chunks())).iterator(), 4096);
    Path chunks = dir.resolve(meta.ulid().toString()).resolve("chunks");
    try (var s = Files.list(chunks)) {
      assertTrue(s.count() > 3, "several 4 KiB segments");
    }
    try (Block block = Block.open(FileIo.DEFAULT, dir.resolve(meta.ulid().toString()))) {
      StorageAssertions.assertSameView(oracle, block, base, base + 7_200_000L - 1, "segments", LabelMatcher.regex("__name__", ".+"));
    }
  }

  /** Lookups through the sampled postings offset table (every 32nd entry kept) find every value. */
  @Test
  void everyLabelValueIsFoundThroughTheSampledPostingsTable() throws Exception {
    Head head = Head.inMemory();
    Appender a = head.appender();
    int n = 200;
    for (int i = 0; i < n; i++) {
      a.append(0, Labels.of("__name__", "m", "v", String.format("%03d", i * 5)), BlockRoundTripTest.BASE + i, i);
    }
    a.commit();
    long base = BlockRoundTripTest.BASE;
    BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, base, base + 7_200_000L);
    try (Block block = Block.open(FileIo.DEFAULT, dir.resolve(meta.ulid().toString()));
        dev.kiln.tsdb.storage.Querier q = block.querier(base, base + 7_200_000L)) {
      assertEquals(n, q.labelValues("v").size());
      for (int i = 0; i < n * 5; i++) {
        var set = q.select(true, null, LabelMatcher.equal("v", String.format("%03d", i)));
        assertEquals(i % 5 == 0, set.next(), "value " + i);
      }
      for (String absent : List.of("", "0", "0000", "zzz", "!")) {
        assertEquals(false, q.select(true, null, LabelMatcher.equal("v", absent)).next(), absent);
      }
      var set = q.select(true, null, LabelMatcher.regex("v", "00.|99.|500"));
      int found = 0;
      while (set.next()) {
        found++;
      }
      assertEquals(2 + 2 + 1, found); // 000 005, 990 995, 500
    }
  }
}
