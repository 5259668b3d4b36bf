package dev.kiln.promql.engine.conformance;

import dev.kiln.promql.Matrix;
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
      if (e0.histogram()) {
        return "expected histogram for " + s.labels() + " but got float value " + s.value();
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
      long[] expT = new long[exp.values().size()];
      double[] expV = new double[exp.values().size()];
      for (int i = 0; i < exp.values().size(); i++) {
        SequenceValue e = exp.values().get(i);
        long t = ev.start + i * ev.step;
        if (t > ev.end) {
          return "expected " + exp.values().size() + " points for " + s.labels()
              + ", but query time range cannot return this many points";
        }
        if (e.histogram()) {
          return "expected histogram points for " + s.labels();
        }
        if (!e.omitted()) {
          expT[count] = t;
          expV[count] = e.value();
          count++;
        }
      }
      if (count != s.count()) {
        return "expected " + count + " float points for " + s.labels() + ", but got " + format(s);
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
    return sb.append(']').toString();
  }
}
