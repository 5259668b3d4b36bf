package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Durability;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link CrashIngester} in a child JVM, kills it with SIGKILL at random moments, and after
 * every kill reopens the directory and checks that every sample whose commit was acknowledged is
 * present, that nothing else is (apart from the one batch in flight, all or nothing), and that
 * values are bit-exact. Run with the WAL fsynced on every commit and with the WAL fsynced on a
 * timer (an interval far longer than the test, so no acknowledged commit was fsynced by it), and
 * with commits that ask only to be written ({@link Durability#WRITTEN}, as scrapes do): a process
 * kill must lose nothing in any mode, since every commit is written to the file before it is
 * acknowledged.
 */
class KillNineDurabilityTest {
  private static final int KILLS = 20;
  @TempDir Path work;
  private Path dir;

  @Test
  void acknowledgedCommitsSurviveSigkill() throws Exception {
    run(0, Durability.SYNCED);
  }

  @Test
  void commitsThatAskOnlyToBeWrittenSurviveSigkill() throws Exception {
    run(0, Durability.WRITTEN);
  }

  @Test
  void acknowledgedCommitsSurviveSigkillWithTheWalFsyncedOnATimer() throws Exception {
    run(3_600_000, Durability.SYNCED);
  }

  private void run(long syncIntervalMillis, Durability durability) throws Exception {
    dir = work.resolve("db");
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random r = new Random(seed);
    long nextBatch = 0;
    long lastAcked = -1;
    int totalKills = 0;
    for (int round = 0; round < KILLS; round++) {
      Process child = start(nextBatch, syncIntervalMillis, durability);
      try {
        BufferedReader out =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"READY".equals(first)) {
          child.destroyForcibly().waitFor();
          fail("child did not start: " + first + "\n" + java.nio.file.Files.readString(stderr()));
        }
        int acksBeforeKill = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(120);
        int seen = 0;
        String line;
        while (seen < acksBeforeKill && (line = out.readLine()) != null) {
          lastAcked = Math.max(lastAcked, parseAck(line));
          seen++;
        }
        child.toHandle().destroyForcibly(); // SIGKILL on Linux; keeps the output pipe readable
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        totalKills++;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("ACK ") && line.length() > 4) {
            try {
              lastAcked = Math.max(lastAcked, parseAck(line));
            } catch (NumberFormatException partial) {
              // a line cut off by the kill: not counted as acknowledged
            }
          }
        }
      } finally {
        if (child.isAlive()) {
          child.toHandle().destroyForcibly();
          child.waitFor(30, TimeUnit.SECONDS);
        }
      }
      verify(lastAcked, "seed=" + seed + " round=" + round);
      nextBatch = lastAcked + 1;
    }
    assertEquals(KILLS, totalKills);
    assertTrue(lastAcked > KILLS, "too little ingested: " + lastAcked);
  }

  private static long parseAck(String line) {
    if (!line.startsWith("ACK ")) {
      throw new AssertionError("unexpected child output: " + line);
    }
    return Long.parseLong(line.substring(4));
  }

  private Process start(long batch, long syncIntervalMillis, Durability durability) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        List.of(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            CrashIngester.class.getName(),
            dir.toString(),
            Long.toString(batch),
            Long.toString(syncIntervalMillis),
            durability.name());
    return new ProcessBuilder(cmd).redirectError(stderr().toFile()).start();
  }

  private Path stderr() {
    return work.resolve("child-stderr.txt");
  }

  /** Reopens the directory and checks its content against the acknowledged batches. */
  private void verify(long lastAcked, String msg) {
    Map<Integer, Map<Long, Long>> present = new HashMap<>();
    try (Db db = Db.open(dir, CrashIngester.options());
        Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, LabelMatcher.equal("__name__", "crash_test"));
      while (set.next()) {
        int s = Integer.parseInt(set.at().labels().get("series"));
        Map<Long, Long> samples = new HashMap<>();
        SampleIterator it = set.at().iterator(null);
        while (it.next() == ValueType.FLOAT) {
          samples.put(it.atT(), Double.doubleToRawLongBits(it.atV()));
        }
        present.put(s, samples);
      }
    }
    long inFlight = lastAcked + 1;
    int inFlightPresent = 0;
    int total = 0;
    for (var e : present.entrySet()) {
      for (var sample : e.getValue().entrySet()) {
        total++;
        long t = sample.getKey();
        long batch = (t - 1_000_000L) / 1000;
        assertTrue((t - 1_000_000L) % 1000 == 0 && batch >= 0 && batch <= inFlight,
            msg + ": unexpected sample t=" + t + " in series " + e.getKey());
        boolean inBatch = false;
        for (int j = 0; j < CrashIngester.size(batch); j++) {
          inBatch |= CrashIngester.seriesOf(batch, j) == e.getKey();
        }
        assertTrue(inBatch, msg + ": series " + e.getKey() + " not in batch " + batch);
        assertEquals(
            Double.doubleToRawLongBits(CrashIngester.value(batch, e.getKey())),
            (long) sample.getValue(),
            msg + ": value of series " + e.getKey() + " batch " + batch);
        if (batch == inFlight) {
          inFlightPresent++;
        }
      }
    }
    int expected = 0;
    for (long b = 0; b <= lastAcked; b++) {
      List<Integer> distinct = new ArrayList<>();
      for (int j = 0; j < CrashIngester.size(b); j++) {
        int s = CrashIngester.seriesOf(b, j);
        if (!distinct.contains(s)) {
          distinct.add(s);
        }
        Map<Long, Long> samples = present.get(s);
        assertTrue(samples != null && samples.containsKey(CrashIngester.timestamp(b)),
            msg + ": acknowledged batch " + b + " lost for series " + s);
      }
      expected += distinct.size();
    }
    int inFlightSize = CrashIngester.size(inFlight);
    assertTrue(inFlightPresent == 0 || inFlightPresent == inFlightSize,
        msg + ": batch in flight is torn: " + inFlightPresent + " of " + inFlightSize);
    assertEquals(expected + inFlightPresent, total, msg);
  }
}
