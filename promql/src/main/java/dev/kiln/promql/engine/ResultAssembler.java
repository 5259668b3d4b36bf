package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.StringValue;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the evaluator's output into the API's value types: drops the metric name where
 * evaluation marked it (delayed name removal), merges series whose label sets became equal
 * (failing when they overlap in time, as Prometheus does), and sorts range results by labels.
 */
final class ResultAssembler {
  private ResultAssembler() {}

  /** The result of an instant query at time {@code t}. */
  static Value instant(StepValue result, long t) {
    if (result instanceof StepValue.ScalarSteps scalar) {
      return new Scalar(t, scalar.values()[0]);
    }
    if (result instanceof StepValue.StringSteps s) {
      return new StringValue(t, s.value());
    }
    if (result instanceof StepValue.InstantSteps instant) {
      List<StepSeries> vec = cleanup(instant.series());
      List<Sample> samples = new ArrayList<>(vec.size());
      for (StepSeries s : vec) {
        if (Points.isPresent(s.values[0])) {
          samples.add(new Sample(s.labels, t, s.values[0]));
        } else if (s.hist(0) != null) {
          samples.add(new Sample(s.labels, t, s.hist(0)));
        }
      }
      return new Vector(samples);
    }
    return rawMatrix(((StepValue.RangeSteps) result).series());
  }

  /** The result of a range query over {@code g}: a scalar or an instant vector per step. */
  static Value range(StepValue result, Grid g) {
    if (result instanceof StepValue.ScalarSteps scalar) {
      StepSeries s = new StepSeries(Labels.EMPTY, false, scalar.values());
      return matrix(List.of(s), g);
    }
    if (result instanceof StepValue.InstantSteps instant) {
      return matrix(cleanup(instant.series()), g);
    }
    throw new IllegalStateException("BUG: a range query yielded " + result.getClass().getSimpleName());
  }

  private static Matrix matrix(List<StepSeries> vec, Grid g) {
    List<RangeSeries> out = new ArrayList<>(vec.size());
    for (StepSeries s : vec) {
      int n = 0;
      int hn = 0;
      for (int i = 0; i < s.values.length; i++) {
        if (Points.isPresent(s.values[i])) {
          n++;
        } else if (s.hist(i) != null) {
          hn++;
        }
      }
      if (n + hn == 0) {
        continue;
      }
      long[] ts = new long[n];
      double[] vs = new double[n];
      int k = 0;
      for (int i = 0; i < s.values.length; i++) {
        if (Points.isPresent(s.values[i])) {
          ts[k] = g.time(i);
          vs[k] = s.values[i];
          k++;
        }
      }
      if (hn == 0) {
        out.add(new RangeSeries(s.labels, ts, vs, n));
        continue;
      }
      long[] hts = new long[hn];
      FloatHistogram[] hs = new FloatHistogram[hn];
      int m = 0;
      for (int i = 0; i < s.values.length; i++) {
        if (s.hist(i) != null) {
          hts[m] = g.time(i);
          hs[m] = s.hist(i);
          m++;
        }
      }
      out.add(new RangeSeries(s.labels, ts, vs, n, hts, hs, hn));
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return new Matrix(out);
  }

  private static Matrix rawMatrix(List<RawSeries> raw) {
    Map<Labels, List<RawSeries>> byLabels = new HashMap<>();
    List<Labels> order = new ArrayList<>();
    for (RawSeries r : raw) {
      Labels l = r.dropName() ? MetricNames.dropMetadata(r.labels()) : r.labels();
      List<RawSeries> group = byLabels.get(l);
      if (group == null) {
        group = new ArrayList<>();
        byLabels.put(l, group);
        order.add(l);
      }
      group.add(r);
    }
    List<RangeSeries> out = new ArrayList<>();
    for (Labels l : order) {
      List<RawSeries> group = byLabels.get(l);
      int total = 0;
      for (RawSeries r : group) {
        total += r.count();
      }
      long[] ts = new long[total];
      double[] vs = new double[total];
      int k = 0;
      for (RawSeries r : group) {
        System.arraycopy(r.ts(), 0, ts, k, r.count());
        System.arraycopy(r.vs(), 0, vs, k, r.count());
        k += r.count();
      }
      int htotal = 0;
      for (RawSeries r : group) {
        htotal += r.hcount();
      }
      long[] hts = new long[htotal];
      FloatHistogram[] hs = new FloatHistogram[htotal];
      int hk = 0;
      for (RawSeries r : group) {
        System.arraycopy(r.hts(), 0, hts, hk, r.hcount());
        System.arraycopy(r.hs(), 0, hs, hk, r.hcount());
        hk += r.hcount();
      }
      if (htotal > 0) {
        if (group.size() > 1) {
          throw Evaluator.duplicateLabelset();
        }
        out.add(new RangeSeries(l, ts, vs, total, hts, hs, htotal));
        continue;
      }
      if (group.size() > 1) {
        Integer[] idx = new Integer[total];
        for (int i = 0; i < total; i++) {
          idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Long.compare(ts[a], ts[b]));
        long[] ts2 = new long[total];
        double[] vs2 = new double[total];
        for (int i = 0; i < total; i++) {
          ts2[i] = ts[idx[i]];
          vs2[i] = vs[idx[i]];
          if (i > 0 && ts2[i] == ts2[i - 1]) {
            throw Evaluator.duplicateLabelset();
          }
        }
        out.add(new RangeSeries(l, ts2, vs2, total));
      } else {
        out.add(new RangeSeries(l, ts, vs, total));
      }
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return new Matrix(out);
  }

  /** Drops names marked for removal and merges series that end up with equal labels. */
  static List<StepSeries> cleanup(List<StepSeries> vec) {
    for (StepSeries s : vec) {
      if (s.dropName) {
        s.labels = MetricNames.dropMetadata(s.labels);
        s.dropName = false;
      }
    }
    return SeriesMerge.mergeSameLabels(vec);
  }
}
