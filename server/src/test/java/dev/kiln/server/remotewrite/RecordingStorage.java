package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A storage that records every committed append as a line of text (labels, time, value bits or
 * histogram fields) and counts every append call, committed or not; a label set gets a
 * reference on its first append and is found by it afterwards. Single-threaded.
 */
final class RecordingStorage implements Appendable {
  final List<String> committed = new ArrayList<>();
  /** The durability each commit asked for, in order. */
  final List<dev.kiln.tsdb.storage.Durability> durabilities = new ArrayList<>();
  int appendCalls;
  private final Map<Labels, Long> refs = new HashMap<>();
  private final Map<Long, Labels> byRef = new HashMap<>();

  @Override
  public Appender appender() {
    List<String> pending = new ArrayList<>();
    return new Appender() {
      @Override
      public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
        appendCalls++;
        long r = resolve(ref, labels);
        pending.add(byRef.get(r) + " " + t + " " + Long.toHexString(Double.doubleToRawLongBits(v)));
        return r;
      }

      @Override
      public long appendHistogram(long ref, Labels labels, long t, Histogram h, FloatHistogram fh, AppendOptions options) {
        appendCalls++;
        long r = resolve(ref, labels);
        pending.add(byRef.get(r) + " " + t + " " + (h != null ? describe(h) : describe(fh)));
        return r;
      }

      @Override
      public void commit(dev.kiln.tsdb.storage.Durability durability) {
        committed.addAll(pending);
        durabilities.add(durability);
      }

      @Override
      public void rollback() {}
    };
  }

  private long resolve(long ref, Labels labels) {
    if (labels == null) {
      if (!byRef.containsKey(ref)) {
        throw new AppendException(AppendException.Reason.INVALID_LABELS, "unknown series ref " + ref);
      }
      return ref;
    }
    return refs.computeIfAbsent(labels, l -> {
      long r = refs.size() + 1L;
      byRef.put(r, l);
      return r;
    });
  }

  /** Every field of an integer histogram, exactly. */
  static String describe(Histogram h) {
    return "int{schema=" + h.schema + " zt=" + Long.toHexString(Double.doubleToRawLongBits(h.zeroThreshold))
        + " zc=" + h.zeroCount + " c=" + h.count + " sum=" + Long.toHexString(Double.doubleToRawLongBits(h.sum))
        + " hint=" + h.counterResetHint + " pos=" + java.util.Arrays.toString(h.positiveSpans)
        + java.util.Arrays.toString(h.positiveBuckets) + " neg=" + java.util.Arrays.toString(h.negativeSpans)
        + java.util.Arrays.toString(h.negativeBuckets) + " cv=" + java.util.Arrays.toString(h.customValues) + "}";
  }

  /** Every field of a float histogram, exactly. */
  static String describe(FloatHistogram h) {
    return "float{schema=" + h.schema + " zt=" + Long.toHexString(Double.doubleToRawLongBits(h.zeroThreshold))
        + " zc=" + h.zeroCount + " c=" + h.count + " sum=" + Long.toHexString(Double.doubleToRawLongBits(h.sum))
        + " hint=" + h.counterResetHint + " pos=" + java.util.Arrays.toString(h.positiveSpans)
        + java.util.Arrays.toString(h.positiveBuckets) + " neg=" + java.util.Arrays.toString(h.negativeSpans)
        + java.util.Arrays.toString(h.negativeBuckets) + " cv=" + java.util.Arrays.toString(h.customValues) + "}";
  }
}
