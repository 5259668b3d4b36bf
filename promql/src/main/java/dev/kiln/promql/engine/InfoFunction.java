package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prometheus's experimental {@code info(v, {selector})}: adds the data labels of info metrics
 * ({@code target_info} by default) that share the {@code instance} and {@code job} of each
 * series. Follows {@code promql/info.go}.
 */
final class InfoFunction {
  private static final List<String> IDENTIFYING = List.of("instance", "job");
  private static final String TARGET_INFO = "target_info";

  private final Evaluator ev;

  InfoFunction(Evaluator ev) {
    this.ev = ev;
  }

  List<StepSeries> eval(Plan.Call c, Grid g) {
    List<StepSeries> base = ev.evalVector(c.args().get(0), g);
    Map<String, List<LabelMatcher>> dataMatchers = new LinkedHashMap<>();
    List<LabelMatcher> infoNameMatchers = new ArrayList<>();
    if (c.args().size() > 1) {
      Plan.Selector sel = (Plan.Selector) Functions.unwrapParens(c.args().get(1));
      for (LabelMatcher m : sel.matchers()) {
        dataMatchers.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
        if (m.name().equals(Labels.METRIC_NAME)) {
          infoNameMatchers.add(m);
        }
      }
    } else {
      infoNameMatchers.add(LabelMatcher.equal(Labels.METRIC_NAME, TARGET_INFO));
    }
    Set<StepSeries> ignored = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    // Series that are themselves info metrics are passed through; only a positive name matcher
    // identifies them (a negative one alone would match ordinary metrics too).
    boolean positive = infoNameMatchers.stream().anyMatch(
        m -> m.type() == LabelMatcher.Type.EQUAL || m.type() == LabelMatcher.Type.REGEX);
    for (StepSeries s : base) {
      String name = s.labels.getOrEmpty(Labels.METRIC_NAME);
      if (positive && infoNameMatchers.stream().allMatch(m -> m.matches(name))) {
        ignored.add(s);
      }
    }
    List<StepSeries> infos = fetchInfoSeries(c.args().get(0), base, ignored, dataMatchers, g);
    return combine(base, infos, ignored, dataMatchers, g);
  }

  private List<StepSeries> fetchInfoSeries(
      Plan arg, List<StepSeries> base, Set<StepSeries> ignored,
      Map<String, List<LabelMatcher>> dataMatchers, Grid g) {
    Map<String, Set<String>> idValues = new LinkedHashMap<>();
    for (StepSeries s : base) {
      if (ignored.contains(s)) {
        continue;
      }
      for (String l : IDENTIFYING) {
        String v = s.labels.getOrEmpty(l);
        if (!v.isEmpty()) {
          idValues.computeIfAbsent(l, k -> new LinkedHashSet<>()).add(v);
        }
      }
    }
    if (idValues.isEmpty()) {
      removeNameMatchers(dataMatchers);
      return List.of();
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : idValues.entrySet()) {
      StringBuilder re = new StringBuilder();
      for (String v : e.getValue()) {
        if (re.length() > 0) {
          re.append('|');
        }
        re.append(com.google.re2j.Pattern.quote(v));
      }
      matchers.add(LabelMatcher.regex(e.getKey(), re.toString()));
    }
    boolean hasName = false;
    boolean positiveName = false;
    for (List<LabelMatcher> ms : dataMatchers.values()) {
      for (LabelMatcher m : ms) {
        if (m.name().equals(Labels.METRIC_NAME)) {
          hasName = true;
          positiveName |= m.type() == LabelMatcher.Type.EQUAL || m.type() == LabelMatcher.Type.REGEX;
        }
        matchers.add(m);
      }
    }
    if (hasName && !positiveName) {
      // Only excluding names still means info metrics: restrict to *_info series.
      matchers.add(LabelMatcher.regex(Labels.METRIC_NAME, ".+_info"));
    }
    removeNameMatchers(dataMatchers);
    if (!hasName) {
      matchers.add(0, LabelMatcher.equal(Labels.METRIC_NAME, TARGET_INFO));
    }
    // Info series are read as of the base selector's reference time: its @ time or the step,
    // shifted by the offsets on the way down (subqueries included).
    long[] refs = new long[g.steps()];
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    for (int i = 0; i < refs.length; i++) {
      refs[i] = referenceTime(arg, g.time(i));
      mint = Math.min(mint, refs[i] - ev.lookbackMillis + 1);
      maxt = Math.max(maxt, refs[i]);
    }
    SelectHints hints = new SelectHints(mint, maxt, g.interval(), 0, "info", List.of(), false);
    SeriesSet set = ev.querier.select(false, hints, matchers.toArray(new LabelMatcher[0]));
    List<StepSeries> out = new ArrayList<>();
    SampleBuffer buf = new SampleBuffer();
    while (set.next()) {
      Series s = set.at();
      buf.load(s, mint, maxt, false);
      if (buf.hcount > 0) {
        throw new ExecutionException("this should be an info metric, with float samples: " + s.labels());
      }
      double[] values = new double[g.steps()];
      int present = 0;
      for (int i = 0; i < values.length; i++) {
        long ref = refs[i];
        int j = -1;
        int lo = 0;
        int hi = buf.count;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (buf.ts[mid] <= ref) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        j = lo - 1;
        if (j >= 0 && buf.ts[j] > ref - ev.lookbackMillis && !StaleNaN.is(buf.vs[j])) {
          values[i] = buf.ts[j];
          present++;
        } else {
          values[i] = Points.ABSENT;
        }
      }
      if (present > 0) {
        out.add(new StepSeries(s.labels(), false, values));
      }
    }
    return out;
  }

  /** The time the first selector under {@code p} reads at when {@code p} is evaluated at t. */
  private long referenceTime(Plan p, long t) {
    if (p instanceof Plan.Selector s) {
      return ev.atTime(s.at(), t) - s.offsetMillis();
    }
    if (p instanceof Plan.RangeSelector rs) {
      return referenceTime(rs.selector(), t);
    }
    if (p instanceof Plan.Subquery sq) {
      return referenceTime(sq.expr(), ev.atTime(sq.at(), t) - sq.offsetMillis());
    }
    Plan.Selector first = firstSelector(p);
    if (first == null) {
      return t;
    }
    return referenceTimeVia(p, first, t);
  }

  /** Follows the path from p to the given selector, applying subquery times on the way. */
  private long referenceTimeVia(Plan p, Plan.Selector target, long t) {
    if (p == target) {
      return referenceTime(p, t);
    }
    if (p instanceof Plan.RangeSelector rs && rs.selector() == target) {
      return referenceTime(target, t);
    }
    if (p instanceof Plan.Subquery sq) {
      return referenceTimeVia(sq.expr(), target, ev.atTime(sq.at(), t) - sq.offsetMillis());
    }
    for (Plan child : children(p)) {
      if (contains(child, target)) {
        return referenceTimeVia(child, target, t);
      }
    }
    return t;
  }

  private static boolean contains(Plan p, Plan.Selector target) {
    if (p == target) {
      return true;
    }
    if (p instanceof Plan.RangeSelector rs) {
      return rs.selector() == target;
    }
    if (p instanceof Plan.Subquery sq) {
      return contains(sq.expr(), target);
    }
    for (Plan c : children(p)) {
      if (contains(c, target)) {
        return true;
      }
    }
    return false;
  }

  private static List<Plan> children(Plan p) {
    List<Plan> children = new ArrayList<>();
    if (p instanceof Plan.Call c) {
      children.addAll(c.args());
    } else if (p instanceof Plan.Aggregate a) {
      if (a.param() != null) {
        children.add(a.param());
      }
      children.add(a.expr());
    } else if (p instanceof Plan.Binary b) {
      children.add(b.lhs());
      children.add(b.rhs());
    } else if (p instanceof Plan.Negate n) {
      children.add(n.expr());
    } else if (p instanceof Plan.Paren n) {
      children.add(n.expr());
    }
    return children;
  }

  private static Plan.Selector firstSelector(Plan p) {
    if (p instanceof Plan.Selector s) {
      return s;
    }
    if (p instanceof Plan.RangeSelector rs) {
      return rs.selector();
    }
    List<Plan> children = p instanceof Plan.Subquery sq ? List.of(sq.expr()) : children(p);
    for (Plan child : children) {
      Plan.Selector s = firstSelector(child);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  private static void removeNameMatchers(Map<String, List<LabelMatcher>> dataMatchers) {
    dataMatchers.remove(Labels.METRIC_NAME);
  }

  private static Labels signature(String infoName, Labels l) {
    Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, infoName);
    for (String id : IDENTIFYING) {
      String v = l.get(id);
      if (v != null) {
        b.set(id, v);
      }
    }
    return b.build();
  }

  private List<StepSeries> combine(
      List<StepSeries> base, List<StepSeries> infos, Set<StepSeries> ignored,
      Map<String, List<LabelMatcher>> dataMatchers, Grid g) {
    Set<String> infoNames = new LinkedHashSet<>();
    for (StepSeries s : infos) {
      infoNames.add(s.labels.getOrEmpty(Labels.METRIC_NAME));
    }
    boolean allMatchEmpty = true;
    for (List<LabelMatcher> ms : dataMatchers.values()) {
      for (LabelMatcher m : ms) {
        if (!m.matchesEmpty()) {
          allMatchEmpty = false;
        }
      }
    }
    BinaryOperators.Output out = new BinaryOperators.Output(g.steps());
    for (int step = 0; step < g.steps(); step++) {
      ev.control.check();
      boolean anyBase = false;
      for (StepSeries s : base) {
        if (Points.isPresent(s.values[step])) {
          anyBase = true;
          break;
        }
      }
      if (!anyBase) {
        continue;
      }
      Map<Labels, StepSeries> bySig = new HashMap<>();
      for (StepSeries is : infos) {
        double origT = is.values[step];
        if (Points.isAbsent(origT)) {
          continue;
        }
        Labels sig = signature(is.labels.getOrEmpty(Labels.METRIC_NAME), is.labels);
        StepSeries existing = bySig.get(sig);
        if (existing == null) {
          bySig.put(sig, is);
        } else {
          long existingT = (long) existing.values[step];
          long t = (long) origT;
          if (existingT < t) {
            bySig.put(sig, is);
          } else if (existingT == t) {
            throw new ExecutionException("found duplicate series for info metric: existing "
                + existing.labels + " @ " + existingT + ", new " + is.labels + " @ " + t);
          }
        }
      }
      for (StepSeries bs : base) {
        double v = bs.values[step];
        if (Points.isAbsent(v)) {
          continue;
        }
        if (ignored.contains(bs)) {
          out.put(bs.labels, bs.dropName, step, v);
          continue;
        }
        Labels.Builder add = Labels.builder();
        Set<String> seen = new HashSet<>();
        for (String infoName : infoNames) {
          StepSeries is = bySig.get(signature(infoName, bs.labels));
          if (is == null || seen.contains(infoName)) {
            continue;
          }
          Labels il = is.labels;
          for (int k = 0; k < il.size(); k++) {
            String name = il.name(k);
            if (name.equals(Labels.METRIC_NAME)) {
              continue;
            }
            if (!dataMatchers.isEmpty() && !dataMatchers.containsKey(name)) {
              continue;
            }
            String cur = add.get(name);
            if (cur != null && !cur.equals(il.value(k))) {
              throw new ExecutionException("conflicting label: " + name);
            }
            if (bs.labels.has(name)) {
              continue;
            }
            add.set(name, il.value(k));
          }
          seen.add(infoName);
        }
        if (seen.isEmpty() && !allMatchEmpty) {
          continue;
        }
        Labels.Builder result = bs.labels.toBuilder();
        add.build().forEach(result::set);
        out.put(result.build(), bs.dropName, step, v);
      }
    }
    return out.finish(ev.control);
  }
}
