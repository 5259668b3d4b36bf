package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snappy-compressed records: the writer's rule, the fragment flags, round trips through the reader. */
class WalCompressionTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  @TempDir Path dir;

  /** One fragment header as found in a segment file. */
  private record Fragment(int type, boolean snappy, int length) {}

  /** Walks the fragment headers of a segment file (pages, padding) without the reader. */
  private static List<Fragment> fragments(Path segment) throws IOException {
    byte[] b = Files.readAllBytes(segment);
    List<Fragment> out = new ArrayList<>();
    int pos = 0;
    while (pos < b.length) {
      int inPage = pos % WalSegments.PAGE_SIZE;
      if (WalSegments.PAGE_SIZE - inPage < WalSegments.HEADER_SIZE || b[pos] == 0) {
        pos += WalSegments.PAGE_SIZE - inPage;
        continue;
      }
      int h = b[pos] & 0xff;
      int len = ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
      out.add(new Fragment(h & 0x7, (h & WalSegments.SNAPPY_FLAG) != 0, len));
      assertEquals(0, h & ~(0x7 | WalSegments.SNAPPY_FLAG), "unknown header bits " + h);
      pos += WalSegments.HEADER_SIZE + len;
    }
    return out;
  }

  private static List<byte[]> readAll(Path dir) throws IOException {
    List<byte[]> read = new ArrayList<>();
    for (WalSegments.Segment s : WalSegments.list(FileIo.DEFAULT, dir)) {
      try (WalReader reader = new WalReader(FileIo.DEFAULT, s.path(), s.index())) {
        byte[] rec;
        while ((rec = reader.next()) != null) {
          read.add(rec);
        }
      }
    }
    return read;
  }

  /** Bytes with repeats Snappy finds (16-byte blocks picked from a small pool), so longer ones shrink. */
  private static byte[] compressible(Random r, int len) {
    byte[][] pool = new byte[8][16];
    for (byte[] p : pool) {
      r.nextBytes(p);
    }
    byte[] out = new byte[len];
    for (int i = 0; i < len; i += 16) {
      System.arraycopy(pool[r.nextInt(pool.length)], 0, out, i, Math.min(16, len - i));
    }
    return out;
  }

  @Test
  void mixedRecordsRoundTripAndOnlyShrinkingOnesAreFlagged() throws IOException {
    Random r = new Random(SEED);
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 256 * 1024, new WalCounters(), WalCompression.SNAPPY);
    assertTrue(w.compresses());
    List<byte[]> written = new ArrayList<>();
    List<Boolean> shouldShrink = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] rec = switch (r.nextInt(4)) {
        case 0 -> new byte[r.nextInt(3)]; // empty or tiny: Snappy's output is never shorter
        case 1 -> {
          byte[] random = new byte[1 + r.nextInt(5000)];
          r.nextBytes(random); // does not shrink
          yield random;
        }
        case 2 -> compressible(r, 64 + r.nextInt(150_000)); // may span pages even compressed
        default -> compressible(r, 1 + r.nextInt(2000));
      };
      // The oracle: snappy-java's allocating one-shot API, independent of the writer's buffers.
      boolean shrinks = rec.length > 0 && org.xerial.snappy.Snappy.compress(rec).length < rec.length;
      written.add(rec);
      shouldShrink.add(shrinks);
      w.append(rec, 0, rec.length);
      if (r.nextInt(3) == 0) {
        w.sync(w.flush());
      }
    }
    w.close();
    List<byte[]> read = readAll(dir);
    assertEquals(written.size(), read.size(), "seed=" + SEED);
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i), read.get(i), "record " + i + " seed=" + SEED);
    }
    // Group the fragments into records and compare their flags with what each record was.
    List<Boolean> flagged = new ArrayList<>();
    boolean sawMultiFragmentCompressed = false;
    for (WalSegments.Segment s : WalSegments.list(FileIo.DEFAULT, dir)) {
      Boolean current = null;
      for (Fragment f : fragments(s.path())) {
        if (f.type() == WalSegments.FULL || f.type() == WalSegments.FIRST) {
          current = f.snappy();
        } else {
          assertEquals(current, f.snappy(), "every fragment of a record carries the same flag, seed=" + SEED);
          sawMultiFragmentCompressed |= f.snappy();
        }
        if (f.type() == WalSegments.FULL || f.type() == WalSegments.LAST) {
          flagged.add(current);
        }
      }
    }
    assertEquals(shouldShrink, flagged, "seed=" + SEED);
    assertTrue(sawMultiFragmentCompressed, "a compressed record spanning pages, seed=" + SEED);
  }

  @Test
  void uncompressedWriterNeverSetsTheFlag() throws IOException {
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 64 * 1024, new WalCounters(), WalCompression.NONE);
    byte[] zeros = new byte[10_000];
    w.sync(w.log(zeros));
    w.close();
    for (Fragment f : fragments(dir.resolve(WalSegments.segmentName(0)))) {
      assertTrue(!f.snappy(), f.toString());
    }
    assertArrayEquals(zeros, readAll(dir).get(0));
  }

  /** As Prometheus since 2.26: the segment fit is decided on the compressed length. */
  @Test
  void aRecordThatFitsOnlyCompressedStaysInTheCurrentSegment() throws IOException {
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 64 * 1024, new WalCounters(), WalCompression.SNAPPY);
    w.log(new byte[100]);
    byte[] big = new byte[200_000]; // larger than the segment, a few KiB compressed
    w.sync(w.log(big));
    w.close();
    assertEquals(1, WalSegments.list(FileIo.DEFAULT, dir).size());
    List<Fragment> fs = fragments(dir.resolve(WalSegments.segmentName(0)));
    assertEquals(List.of(true, true), fs.stream().map(Fragment::snappy).toList());
    assertArrayEquals(big, readAll(dir).get(1));
  }

  private static CommitLog.SeriesEntry series(long ref) {
    return new CommitLog.SeriesEntry(ref, Labels.of("__name__", "request_duration_seconds_bucket", "job", "api",
        "instance", "10.0.0." + ref + ":9100", "le", "0.25"));
  }

  private static long[] fill(int n, java.util.function.IntToLongFunction f) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = f.applyAsLong(i);
    }
    return out;
  }

  /**
   * Commits through a compressing log, a checkpoint (written compressed too), a reopen without
   * compression and more commits: replay returns everything, whichever way each record was written.
   */
  @Test
  void segmentsAndCheckpointsAreCompressedAndReplayReadsEitherKind() throws IOException {
    int n = 500;
    Wal wal = Wal.open(FileIo.DEFAULT, dir, 64 * 1024, 0, WalCompression.SNAPPY);
    wal.replay(new WalTest.Collector());
    wal.startWriting();
    List<CommitLog.SeriesEntry> all = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      all.add(series(i));
    }
    long[] refs = fill(n, i -> i + 1);
    for (int t = 0; t < 20; t++) {
      final int tt = t;
      double[] vs = new double[n];
      java.util.Arrays.fill(vs, t);
      wal.awaitDurable(wal.write(t == 0 ? all : List.of(), refs, fill(n, i -> 1_000L * tt), vs, n));
    }
    int cp = wal.checkpoint(10_000, ref -> true);
    wal.awaitDurable(wal.write(List.of(), refs, fill(n, i -> 20_000), new double[n], n));
    wal.close();
    Path cpDir = dir.resolve(WalSegments.checkpointName(cp));
    List<Fragment> cpFragments = fragments(WalSegments.list(FileIo.DEFAULT, cpDir).get(0).path());
    assertTrue(cpFragments.stream().allMatch(Fragment::snappy), "checkpoint records compressed: " + cpFragments);
    List<Fragment> segFragments = fragments(WalSegments.list(FileIo.DEFAULT, dir).get(0).path());
    assertTrue(segFragments.stream().allMatch(Fragment::snappy), "segment records compressed: " + segFragments);

    Wal plain = Wal.open(FileIo.DEFAULT, dir, 64 * 1024, 0, WalCompression.NONE);
    WalTest.Collector first = new WalTest.Collector();
    plain.replay(first);
    assertEquals(n, first.series.size());
    assertEquals(11 * n, first.samples.size()); // t = 10s..20s
    plain.startWriting();
    plain.awaitDurable(plain.write(List.of(), refs, fill(n, i -> 21_000), new double[n], n));
    plain.close();
    List<WalSegments.Segment> segs = WalSegments.list(FileIo.DEFAULT, dir);
    assertTrue(fragments(segs.get(segs.size() - 1).path()).stream().noneMatch(Fragment::snappy));

    Wal again = Wal.open(FileIo.DEFAULT, dir, 64 * 1024, 0, WalCompression.SNAPPY);
    WalTest.Collector c = new WalTest.Collector();
    again.replay(c);
    again.close();
    assertEquals(n, c.series.size());
    assertEquals(12 * n, c.samples.size());
    assertEquals(all.get(7).labels(), c.series.get(7).labels());
    long[] last = c.samples.get(c.samples.size() - 1);
    assertEquals(n, last[0]);
    assertEquals(21_000, last[1]);
  }
}
