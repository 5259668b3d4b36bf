package dev.kiln.server.memory;

/**
 * Decides when an idle server gives memory back ({@link IdleTrimmer}): after the process has used
 * at most {@code idleCpuFraction} of one core for {@code idleNanos} in a row, once there was busy work
 * since the previous trim (a collection during a busy sample, or {@code activityCpuNanos} of CPU in busy
 * samples: those above {@code idleCpuFraction}), and no sooner than {@code
 * minIntervalNanos} nor {@code costFactor} times the previous trim's cost (the CPU time it took) after it.
 * The last bound keeps the trims' own cost (a full collection of the live heap) below 1/{@code
 * costFactor} of one core even when a large head makes them slow; and only once the process has used
 * {@link #CPU_COST_FACTOR} times the previous trim's cost in CPU since it, so that trims take at most 1/{@value
 * #CPU_COST_FACTOR} of the server's own CPU time. Work below the idle fraction does not
 * count: a server under a steady light load (a few scrape targets) grows no heap to give back, and
 * trimming it again and again would cost it more CPU than its work.
 *
 * <p>Pure bookkeeping over the samples it is given (times in nanoseconds of any one clock); not
 * thread-safe, one caller polls it.
 */
public final class IdleTrimPolicy {
  /** Settings; all durations in nanoseconds. */
  public record Settings(long idleNanos, double idleCpuFraction, long activityCpuNanos, long minIntervalNanos,
      long costFactor) {
    /** Kiln's defaults: 3 s idle below 5 % of a core, 1 CPU s of work, at most every 10 s, at most 1 % of the time. */
    public static final Settings DEFAULTS = new Settings(3_000_000_000L, 0.05, 1_000_000_000L, 10_000_000_000L, 100);
  }

  /** A trim waits for this many times its predecessor's CPU time of the process's CPU time since it. */
  public static final long CPU_COST_FACTOR = 20;

  private final Settings settings;
  private long cpuAtTrim;
  private boolean sampled;
  private long lastNanos;
  private long lastCpu;
  private long idleSince = -1;
  private boolean trimmedOnce;
  private long lastTrimEnd;
  private long lastTrimTook;
  private long lastCollections;
  /** CPU time of busy samples since the last trim. */
  private long busyCpu;
  /** Whether a busy sample since the last trim saw a collection. */
  private boolean busyCollected;

  public IdleTrimPolicy(Settings settings) {
    this.settings = settings;
  }

  /**
   * Takes one sample and answers whether to trim now.
   *
   * @param nowNanos the clock
   * @param cpuNanos the process's CPU time so far
   * @param collections the number of garbage collections so far
   */
  public boolean sample(long nowNanos, long cpuNanos, long collections) {
    boolean first = !sampled;
    long elapsed = nowNanos - lastNanos;
    long used = cpuNanos - lastCpu;
    boolean collected = collections != lastCollections;
    sampled = true;
    lastNanos = nowNanos;
    lastCpu = cpuNanos;
    lastCollections = collections;
    if (first) {
      return false;
    }
    if (elapsed <= 0 || used > settings.idleCpuFraction() * elapsed) {
      busyCpu += Math.max(0, used);
      busyCollected |= collected;
      idleSince = -1;
      return false;
    }
    if (idleSince < 0) {
      idleSince = nowNanos - elapsed;
    }
    if (nowNanos - idleSince < settings.idleNanos()) {
      return false;
    }
    boolean worked = busyCollected || busyCpu >= settings.activityCpuNanos();
    if (!worked) {
      return false;
    }
    if (trimmedOnce) {
      long wait = Math.max(settings.minIntervalNanos(), settings.costFactor() * lastTrimTook);
      if (nowNanos - lastTrimEnd < wait || cpuNanos - cpuAtTrim < CPU_COST_FACTOR * lastTrimTook) {
        return false;
      }
    }
    return true;
  }

  /**
   * Records a trim that ended at {@code endNanos} and cost {@code tookNanos} of CPU, with the process's CPU time
   * and collection count after it (its own collection does not count as work).
   */
  public void trimmed(long endNanos, long tookNanos, long cpuNanos, long collections) {
    trimmedOnce = true;
    lastTrimEnd = endNanos;
    lastTrimTook = tookNanos;
    busyCpu = 0;
    busyCollected = false;
    cpuAtTrim = cpuNanos;
    lastCollections = collections;
    lastNanos = endNanos;
    lastCpu = cpuNanos;
    idleSince = -1;
  }
}
