package dev.kiln.promql.engine.conformance;

import dev.kiln.promql.Matrix;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.StringValue;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.promql.engine.FloatCompare;
import dev.kiln.promql.engine.conformance.ScriptCommand.Eval;
import dev.kiln.promql.engine.conformance.ScriptCommand.Expected;
import dev.kiln.tsdb.model.Labels;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a query result with an eval's expectations exactly as Prometheus's
 * {@code evalCmd.compareResult}: floats within a relative 1e-6, NaN equal to NaN, label sets
 * exact, order only for ordered evals, matrices always sorted by labels.
 */
final class ResultComparator {
  static final double EPSILON = 0.000001;

  private ResultComparator() {}

  /** Null when the result matches, else a description of the first difference. */
  static String compare(Eval ev, Value result) {
    if (result instanceof Matrix m) {
      return compareMatrix(ev, m);
    }
    if (result instanceof Vector v) {
      return compareVector(ev, v.samples());
    }
    if (result instanceof Scalar s) {
      if (!ev.expectScalar) {
        return "expected vector or matrix result, but got scalar " + s.value();
      }
      double exp = ev.expected.get(Labels.EMPTY).values().get(0).value();
      if (!FloatCompare.almostEqual(exp, s.value(), EPSILON)) {
        return "expected scalar " + exp + " but got " + s.value();
      }
      return null;
    }
    if (result instanceof StringValue s) {
      if (ev.expectedString == null || !ev.expectedString.equals(s.value())) {
        return "expected string \"" + ev.expectedString + "\" but got \"" + s.value() + "\"";
      }
      return null;
    }
    return "unexpected result type " + result;
  }

  static String compareVector(Eval ev, List<Sample> samples) {
    if (ev.expectScalar) {
      return "expected scalar result, but got vector " + samples;
    }
    Set<Labels> seen = new HashSet<>();
    for (int pos = 0; pos < samples.size(); pos++) {
      Sample s = samples.get(pos);
      Expected exp = ev.expected.get(s.labels());
      if (exp == null) {
        return "unexpected metric " + s.labels() + " in result, has value " + s.value();
      }
      if (ev.isOrdered() && exp.pos() != pos + 1) {
        return "expected metric " + s.labels() + " at position " + exp.pos() + " but was at " + (pos + 1);
      }
      SequenceValue e0 = exp.values().get(0);
      if (e0.isHistogram()) {
        if (!s.isHistogram()) {
          return "expected histogram for " + s.labels() + " but got float value " + s.value();
        }
        String d = compareHistogram(e0, s.histogram());
        if (d != null) {
          return "for " + s.labels() + ": " + d;
        }
        seen.add(s.labels());
        continue;
      }
      if (s.isHistogram()) {
        return "expected float value " + e0.value() + " for " + s.labels() + " but got histogram "
            + s.histogram().testExpression();
      }
      if (!FloatCompare.almostEqual(e0.value(), s.value(), EPSILON)) {
        return "expected " + e0.value() + " for " + s.labels() + " but got " + s.value();
      }
      seen.add(s.labels());
    }
    for (Map.Entry<Labels, Expected> e : ev.expected.entrySet()) {
      if (!seen.contains(e.getKey())) {
        return "expected metric " + e.getKey() + " not found";
      }
    }
    return null;
  }

  static String compareMatrix(Eval ev, Matrix m) {
    if (ev.isOrdered()) {
      return "expected ordered result, but query returned a matrix";
    }
    if (ev.expectScalar) {
      return "expected scalar result, but got matrix";
    }
    String sorted = assertSorted(m);
    if (sorted != null) {
      return sorted;
    }
    Set<Labels> seen = new HashSet<>();
    for (RangeSeries s : m.series()) {
      Expected exp = ev.expected.get(s.labels());
      if (exp == null) {
        return "unexpected metric " + s.labels() + " in result, has " + format(s);
      }
      seen.add(s.labels());
      int count = 0;
      int hcount = 0;
      long[] expT = new long[exp.values().size()];
      double[] expV = new double[exp.values().size()];
      long[] expHT = new long[exp.values().size()];
      SequenceValue[] expH = new SequenceValue[exp.values().size()];
      for (int i = 0; i < exp.values().size(); i++) {
        SequenceValue e = exp.values().get(i);
        long t = ev.start + i * ev.step;
        if (t > ev.end) {
          return "expected " + exp.values().size() + " points for " + s.labels()
              + ", but query time range cannot return this many points";
        }
        if (e.omitted()) {
          continue;
        }
        if (e.isHistogram()) {
          expHT[hcount] = t;
          expH[hcount] = e;
          hcount++;
        } else {
          expT[count] = t;
          expV[count] = e.value();
          count++;
        }
      }
      if (count != s.count()) {
        return "expected " + count + " float points for " + s.labels() + ", but got " + format(s);
      }
      if (hcount != s.histogramCount()) {
        return "expected " + hcount + " histogram points for " + s.labels() + ", but got " + format(s);
      }
      for (int i = 0; i < count; i++) {
        if (expT[i] != s.timestampAt(i)) {
          return "expected timestamp " + expT[i] + " at index " + i + " for " + s.labels()
              + " but got " + s.timestampAt(i) + " (" + format(s) + ")";
        }
        if (!FloatCompare.almostEqual(s.valueAt(i), expV[i], EPSILON)) {
          return "expected value " + expV[i] + " at t=" + expT[i] + " for " + s.labels()
              + " but got " + s.valueAt(i) + " (" + format(s) + ")";
        }
      }
      for (int i = 0; i < hcount; i++) {
        if (expHT[i] != s.histogramTimestampAt(i)) {
          return "expected histogram timestamp " + expHT[i] + " at index " + i + " for " + s.labels()
              + " but got " + s.histogramTimestampAt(i) + " (" + format(s) + ")";
        }
        String d = compareHistogram(expH[i], s.histogramAt(i));
        if (d != null) {
          return "at t=" + expHT[i] + " for " + s.labels() + ": " + d;
        }
      }
    }
    for (Labels l : ev.expected.keySet()) {
      if (!seen.contains(l)) {
        return "expected metric " + l + " not found";
      }
    }
    return null;
  }

  static String assertSorted(Matrix m) {
    List<RangeSeries> s = m.series();
    for (int i = 0; i + 1 < s.size(); i++) {
      if (s.get(i).labels().compareTo(s.get(i + 1).labels()) > 0) {
        return "matrix results should always be sorted by labels: " + s.get(i + 1).labels()
            + " sorts before " + s.get(i).labels();
      }
    }
    return null;
  }

  static String format(RangeSeries s) {
    StringBuilder sb = new StringBuilder().append(s.count()).append(" points [");
    for (int i = 0; i < s.count(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(s.valueAt(i)).append(" @[").append(s.timestampAt(i)).append(']');
    }
    sb.append("], ").append(s.histogramCount()).append(" histograms [");
    for (int i = 0; i < s.histogramCount(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(s.histogramAt(i).testExpression()).append(" @[").append(s.histogramTimestampAt(i)).append(']');
    }
    return sb.append(']').toString();
  }

  /**
   * Prometheus's compareNativeHistogram: both compacted; schema, zero threshold and bucket layout
   * exact; counts, sum and populations within tolerance; custom bounds when the expectation uses
   * them; the counter reset hint only when the expectation spells it out.
   */
  static String compareHistogram(SequenceValue expected, FloatHistogram actual) {
    FloatHistogram exp = expected.histogram().copy().compact(0);
    FloatHistogram act = actual.copy().compact(0);
    String d = histogramDifference(exp, act);
    if (d == null && expected.hintSet() && exp.counterResetHint != act.counterResetHint) {
      d = "counter reset hint " + act.counterResetHint + ", expected " + exp.counterResetHint;
    }
    return d == null ? null : "expected histogram " + exp.testExpression() + " but got " + act.testExpression() + " (" + d + ")";
  }

  private static String histogramDifference(FloatHistogram e, FloatHistogram a) {
    if (e.schema != a.schema) {
      return "schema";
    }
    if (e.zeroThreshold != a.zeroThreshold) {
      return "zero threshold";
    }
    if (!FloatCompare.almostEqual(e.count, a.count, EPSILON)) {
      return "count";
    }
    if (!FloatCompare.almostEqual(e.sum, a.sum, EPSILON)) {
      return "sum";
    }
    if (!FloatCompare.almostEqual(e.zeroCount, a.zeroCount, EPSILON)) {
      return "zero count";
    }
    if (e.usesCustomBuckets() && !java.util.Arrays.equals(e.customValues, a.customValues)) {
      return "custom values";
    }
    if (!java.util.Arrays.equals(e.positiveSpans, a.positiveSpans)
        || !java.util.Arrays.equals(e.negativeSpans, a.negativeSpans)) {
      return "bucket layout";
    }
    for (int i = 0; i < e.positiveBuckets.length; i++) {
      if (!FloatCompare.almostEqual(e.positiveBuckets[i], a.positiveBuckets[i], EPSILON)) {
        return "positive bucket " + i;
      }
    }
    for (int i = 0; i < e.negativeBuckets.length; i++) {
      if (!FloatCompare.almostEqual(e.negativeBuckets[i], a.negativeBuckets[i], EPSILON)) {
        return "negative bucket " + i;
      }
    }
    return null;
  }
}
