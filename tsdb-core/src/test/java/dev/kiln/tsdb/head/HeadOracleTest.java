package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.wal.CommitLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random append/commit/rollback sequences on the head against {@link InMemoryStorage}. */
class HeadOracleTest {
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  private static final LabelMatcher[][] QUERIES = {
    {LabelMatcher.regex("__name__", ".+")},
    {LabelMatcher.equal("__name__", "up")},
    {LabelMatcher.equal("job", "api"), LabelMatcher.notEqual("instance", "i1")},
    {LabelMatcher.regex("instance", "i1|i2"), LabelMatcher.equal("env", "")},
    {LabelMatcher.notRegex("job", "api.*"), LabelMatcher.regex("__name__", ".*")},
    {LabelMatcher.regex("job", "(?i)API|db")},
  };

  private static List<Labels> universe() {
    List<Labels> out = new ArrayList<>();
    for (String name : new String[] {"up", "cpu"}) {
      for (String job : new String[] {"api", "db", "api-2"}) {
        for (String inst : new String[] {"i1", "i2", "i3"}) {
          out.add(Labels.of("__name__", name, "job", job, "instance", inst));
        }
      }
    }
    out.add(Labels.of("__name__", "up", "job", "api", "instance", "i1", "env", "prod"));
    return out;
  }

  private static double randomValue(Random r, double prev) {
    return switch (r.nextInt(8)) {
      case 0 -> StaleNaN.VALUE;
      case 1 -> Double.NaN;
      case 2 -> prev;
      case 3 -> Double.POSITIVE_INFINITY;
      default -> prev + r.nextInt(100);
    };
  }

  @Test
  void randomOperationsMatchOracle() {
    for (int round = 0; round < 30; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      long range = 1000 + r.nextInt(100_000);
      Head head =
          new Head(new HeadOptions(range, 4 + r.nextInt(200)), new HeapChunkStore(), CommitLog.NONE);
      InMemoryStorage oracle = new InMemoryStorage();
      List<Labels> universe = universe();
      long[] lastT = new long[universe.size()];
      double[] lastV = new double[universe.size()];
      long clock = r.nextInt(1_000_000);
      for (int batch = 0; batch < 200; batch++) {
        long maxAtStart = head.maxTime();
        Appender ha = head.appender();
        Appender oa = oracle.appender();
        int k = r.nextInt(20);
        for (int i = 0; i < k; i++) {
          int si = r.nextInt(universe.size());
          long t;
          switch (r.nextInt(10)) {
            case 0 -> t = lastT[si]; // duplicate timestamp
            case 1 -> t = lastT[si] - r.nextInt(1000); // out of order
            default -> {
              clock += r.nextInt(3) == 0 ? r.nextInt((int) range) : r.nextInt(20);
              t = Math.max(clock, lastT[si] + 1);
            }
          }
          double v = r.nextInt(3) == 0 ? lastV[si] : randomValue(r, lastV[si]);
          AppendException headErr = null;
          try {
            ha.append(0, universe.get(si), t, v);
          } catch (AppendException e) {
            headErr = e;
          }
          String msg = "seed=" + seed + " batch=" + batch + " t=" + t;
          if (headErr != null && headErr.reason() == AppendException.Reason.OUT_OF_BOUNDS) {
            assertTrue(maxAtStart != Long.MIN_VALUE && t < maxAtStart - range / 2, msg);
            continue;
          }
          AppendException oracleErr = null;
          try {
            oa.append(0, universe.get(si), t, v);
          } catch (AppendException e) {
            oracleErr = e;
          }
          assertEquals(
              oracleErr == null ? null : oracleErr.reason(),
              headErr == null ? null : headErr.reason(),
              msg);
          if (headErr == null) {
            lastT[si] = Math.max(lastT[si], t);
            lastV[si] = v;
          }
        }
        if (r.nextInt(5) == 0) {
          ha.rollback();
          oa.rollback();
          // The oracle forgets the batch; so must our expectations of the newest samples.
          for (int si = 0; si < universe.size(); si++) {
            lastT[si] = newestT(oracle, universe.get(si));
          }
        } else {
          ha.commit();
          oa.commit();
        }
        if (batch % 20 == 19) {
          long a = clock - r.nextInt((int) range * 3);
          long b = a + r.nextInt((int) range * 3);
          for (LabelMatcher[] q : QUERIES) {
            StorageAssertions.assertSameView(oracle, head, a, b, "seed=" + seed, q);
          }
          StorageAssertions.assertSameView(
              oracle, head, Long.MIN_VALUE, Long.MAX_VALUE, "seed=" + seed, QUERIES[0]);
        }
      }
    }
  }

  private static long newestT(InMemoryStorage s, Labels l) {
    String dump =
        StorageAssertions.dump(
            s, Long.MIN_VALUE, Long.MAX_VALUE, matchersFor(l));
    int eq = dump.lastIndexOf('=');
    if (eq < 0) {
      return Long.MIN_VALUE / 2;
    }
    int sp = dump.lastIndexOf(' ', eq);
    return Long.parseLong(dump.substring(sp + 1, eq));
  }

  private static LabelMatcher[] matchersFor(Labels l) {
    List<LabelMatcher> ms = new ArrayList<>();
    for (String n : new String[] {"__name__", "job", "instance", "env"}) {
      ms.add(LabelMatcher.equal(n, l.getOrEmpty(n)));
    }
    return ms.toArray(new LabelMatcher[0]);
  }
}
