package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks written from a head read back exactly what a reference store holds. */
class BlockRoundTripTest {
  @TempDir Path dir;

  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % 7_200_000L);

  /** Fills both stores with the same random data; returns the number of samples. */
  static int fill(Random r, Appendable head, Appendable oracle, int series, long span) {
    int n = 0;
    long t0 = BASE;
    for (long t = t0; t < t0 + span; t += 15_000) {
      Appender a = head.appender();
      Appender b = oracle.appender();
      for (int s = 0; s < series; s++) {
        if (r.nextInt(10) == 0) {
          continue;
        }
        Labels l = Labels.of("__name__", "m" + (s % 3), "instance", "host-" + s, "job", s % 2 == 0 ? "node" : "cadvisor");
        long ts = t + r.nextInt(1000);
        double v = switch (r.nextInt(6)) {
          case 0 -> StaleNaN.VALUE;
          case 1 -> r.nextGaussian();
          default -> (double) (t / 1000 + s);
        };
        a.append(0, l, ts, v);
        b.append(0, l, ts, v);
        n++;
      }
      a.commit();
      b.commit();
    }
    return n;
  }

  @Test
  void blockReadsBackWhatTheHeadHeld() throws Exception {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    Head head = Head.inMemory();
    InMemoryStorage oracle = new InMemoryStorage();
    int samples = fill(r, head, oracle, 40, 2 * 3_600_000L);
    BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BASE, BASE + 7_200_000L);
    assertNotNull(meta);
    assertEquals(samples, meta.numSamples(), "seed " + seed);
    assertEquals(40, meta.numSeries(), "seed " + seed);
    assertTrue(Files.isDirectory(dir.resolve(meta.ulid().toString())));
    try (Block block = Block.open(FileIo.DEFAULT, dir.resolve(meta.ulid().toString()))) {
      assertEquals(meta, block.meta());
      long end = BASE + 7_200_000L - 1;
      String msg = "seed " + seed;
      StorageAssertions.assertSameView(oracle, block, BASE, end, msg, LabelMatcher.regex("__name__", ".+"));
      StorageAssertions.assertSameView(oracle, block, BASE + 1_000_000, BASE + 2_000_000, msg,
          LabelMatcher.equal("job", "node"));
      StorageAssertions.assertSameView(oracle, block, BASE, end, msg,
          LabelMatcher.regex("instance", "host-1.*"), LabelMatcher.notEqual("__name__", "m1"));
      StorageAssertions.assertSameView(oracle, block, BASE, end, msg,
          LabelMatcher.notRegex("job", "node"), LabelMatcher.equal("__name__", "m2"));
    }
  }

  @Test
  void emptyHeadRangeWritesNoBlock() throws Exception {
    Head head = Head.inMemory();
    assertEquals(null, HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BASE, BASE + 7_200_000L));
    try (var s = Files.list(dir)) {
      assertEquals(0, s.count());
    }
  }
}
