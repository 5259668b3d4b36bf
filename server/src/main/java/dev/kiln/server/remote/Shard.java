package dev.kiln.server.remote;

import dev.kiln.config.QueueConfig;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sending lane of a remote write endpoint: a bounded buffer and a thread that sends a request
 * whenever {@code max_samples_per_send} samples are waiting or the oldest has waited
 * {@code batch_send_deadline}. A series always goes to the same shard, so its samples are sent in
 * order. Requests are sent one at a time; while one is being retried, new samples wait in memory,
 * and when the buffer reaches its limit they are dropped and counted.
 */
final class Shard {
  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

  /** Turns a batch into a request body (remote write 1.0 or 2.0). */
  @FunctionalInterface
  interface Encoder {
    byte[] encode(PendingSamples.Batch batch) throws IOException;
  }

  private final QueueConfig config;
  private final RemoteWriteClient client;
  private final Encoder encoder;
  private final QueueMetrics metrics;
  private final PendingSamples pending;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile long stopDeadlineNanos = Long.MAX_VALUE;

  /**
   * @param bufferLimit samples the shard may hold while its endpoint is slow or down (at least
   *     {@code capacity}); beyond it new samples are dropped
   */
  Shard(String name, QueueConfig config, RemoteWriteClient client, Encoder encoder, QueueMetrics metrics, int bufferLimit) {
    this.encoder = encoder;
    this.config = config;
    this.client = client;
    this.metrics = metrics;
    this.pending = new PendingSamples(config.capacity(), Math.max(config.capacity(), bufferLimit));
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a sample (a float, or with {@code histogram} a native histogram the shard now owns);
   * false (and the sample is not kept) when the buffer is full or the shard stopped.
   */
  boolean offer(Labels labels, long t, double v, Object histogram) {
    lock.lock();
    try {
      if (stopping || !pending.offer(labels, t, v, histogram)) {
        return false;
      }
      if (pending.size() >= config.maxSamplesPerSend()) {
        wake.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** How many of the waiting samples are floats. */
  int pendingFloatCount() {
    lock.lock();
    try {
      return pending.size() - pending.histogramCount();
    } finally {
      lock.unlock();
    }
  }

  /** How many of the waiting samples are native histograms. */
  int pendingHistogramCount() {
    lock.lock();
    try {
      return pending.histogramCount();
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking samples, sends what is buffered for at most {@code flushMillis}, then stops. */
  void close(long flushMillis) {
    lock.lock();
    try {
      stopping = true;
      stopDeadlineNanos = System.nanoTime() + flushMillis * 1_000_000L;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(flushMillis + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }

  private boolean sending() {
    return System.nanoTime() - stopDeadlineNanos < 0;
  }

  private void run() {
    PendingSamples.Batch batch = new PendingSamples.Batch(config.maxSamplesPerSend());
    try {
      while (sending()) {
        lock.lock();
        try {
          long deadline = System.nanoTime() + config.batchSendDeadlineMillis() * 1_000_000L;
          while (!stopping && pending.size() < config.maxSamplesPerSend()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            wake.await(left, TimeUnit.NANOSECONDS);
          }
          if (stopping && pending.size() == 0) {
            return;
          }
          pending.drainTo(batch, config.maxSamplesPerSend());
        } finally {
          lock.unlock();
        }
        if (batch.size > 0) {
          send(batch);
          batch.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(PendingSamples.Batch batch) throws InterruptedException {
    dropTooOld(batch);
    if (batch.size == 0) {
      return;
    }
    int histograms = batch.histogramCount();
    int floats = batch.size - histograms;
    byte[] body;
    try {
      body = encoder.encode(batch);
    } catch (IOException e) {
      LOG.error("remote write: cannot encode {} samples: {}", batch.size, e.toString());
      metrics.samplesFailed.addAndGet(floats);
      metrics.histogramsFailed.addAndGet(histograms);
      return;
    }
    Runnable retried = () -> {
      metrics.samplesRetried.addAndGet(floats);
      metrics.histogramsRetried.addAndGet(histograms);
    };
    String what = floats + " samples and " + histograms + " histograms";
    switch (client.send(body, what, retried, this::sending)) {
      case SENT -> {
        metrics.samplesSent.addAndGet(floats);
        metrics.histogramsSent.addAndGet(histograms);
        metrics.bytesSent.addAndGet(body.length);
        long maxT = Long.MIN_VALUE;
        for (int i = 0; i < batch.size; i++) {
          maxT = Math.max(maxT, batch.timestamps[i]);
        }
        metrics.highestSentMillis.accumulate(maxT);
      }
      case FAILED -> {
        metrics.samplesFailed.addAndGet(floats);
        metrics.histogramsFailed.addAndGet(histograms);
      }
      case ABANDONED -> metrics.dropped(floats, histograms);
    }
  }

  /** Drops samples older than {@code sample_age_limit}, when one is set. */
  private void dropTooOld(PendingSamples.Batch batch) {
    if (config.sampleAgeLimitMillis() <= 0) {
      return;
    }
    long oldest = System.currentTimeMillis() - config.sampleAgeLimitMillis();
    int kept = 0;
    int droppedHistograms = 0;
    for (int i = 0; i < batch.size; i++) {
      if (batch.timestamps[i] < oldest && batch.histograms[i] != null) {
        droppedHistograms++;
      }
      if (batch.timestamps[i] >= oldest) {
        batch.labels[kept] = batch.labels[i];
        batch.timestamps[kept] = batch.timestamps[i];
        batch.values[kept] = batch.values[i];
        batch.histograms[kept] = batch.histograms[i];
        kept++;
      }
    }
    metrics.dropped(batch.size - kept - droppedHistograms, droppedHistograms);
    java.util.Arrays.fill(batch.labels, kept, batch.size, null);
    java.util.Arrays.fill(batch.histograms, kept, batch.size, null);
    batch.size = kept;
  }
}
