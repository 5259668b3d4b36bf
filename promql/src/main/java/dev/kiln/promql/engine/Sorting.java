package dev.kiln.promql.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ordering functions {@code sort}, {@code sort_desc}, {@code sort_by_label} and {@code
 * sort_by_label_desc}. They order only instant query results (range results are always sorted by
 * labels), and reproduce Go's sort order, including its stable insertion sort for up to 12
 * elements, so ties come out as in Prometheus.
 */
final class Sorting {
  private static final Pattern CHUNK = Pattern.compile("[^0-9]+|[0-9]+");

  private Sorting() {}

  static List<StepSeries> sortByValue(List<StepSeries> vec, Grid g, boolean descending) {
    vec.removeIf(s -> {
      s.dropHistograms();
      return s.isEmpty();
    });
    if (!g.isInstant()) {
      return vec;
    }
    List<StepSeries> present = new ArrayList<>(vec.size());
    for (StepSeries s : vec) {
      if (Points.isPresent(s.values[0])) {
        present.add(s);
      }
    }
    // Go: sort.Sort(sort.Reverse(heap)), NaN sorting last either way.
    Comparator<StepSeries> less =
        descending
            ? (a, b) -> lessOrder(Double.isNaN(a.values[0]) || a.values[0] < b.values[0])
            : (a, b) -> lessOrder(Double.isNaN(a.values[0]) || a.values[0] > b.values[0]);
    goSortReverse(present, less);
    return present;
  }

  private static int lessOrder(boolean less) {
    return less ? -1 : 1;
  }

  /**
   * Sorts as Go's {@code sort.Sort(sort.Reverse(data))} where {@code lessFn(a, b) < 0} means
   * Less(a, b) of the unreversed data.
   */
  private static void goSortReverse(List<StepSeries> data, Comparator<StepSeries> lessFn) {
    int n = data.size();
    if (n <= 12) {
      for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && lessFn.compare(data.get(j - 1), data.get(j)) < 0; j--) {
          StepSeries t = data.get(j);
          data.set(j, data.get(j - 1));
          data.set(j - 1, t);
        }
      }
      return;
    }
    data.sort((a, b) -> {
      boolean ab = lessFn.compare(b, a) < 0;
      boolean ba = lessFn.compare(a, b) < 0;
      return ab == ba ? 0 : (ab ? -1 : 1);
    });
  }

  static List<StepSeries> sortByLabel(
      List<StepSeries> vec, Grid g, List<String> labels, boolean descending) {
    if (!g.isInstant()) {
      return vec;
    }
    Comparator<StepSeries> cmp =
        (a, b) -> {
          for (String l : labels) {
            String va = a.labels.getOrEmpty(l);
            String vb = b.labels.getOrEmpty(l);
            if (va.equals(vb)) {
              continue;
            }
            return naturalLess(va, vb) ? -1 : 1;
          }
          return a.labels.compareTo(b.labels);
        };
    List<StepSeries> out = new ArrayList<>(vec);
    out.sort(descending ? cmp.reversed() : cmp);
    return out;
  }

  /** Natural ordering as the natsort package Prometheus uses: digit runs compare numerically. */
  static boolean naturalLess(String a, String b) {
    List<String> ca = chunks(a);
    List<String> cb = chunks(b);
    int na = ca.size();
    int nb = cb.size();
    for (int i = 0; i < na; i++) {
      if (i >= nb) {
        return false;
      }
      Long ia = atoi(ca.get(i));
      Long ib = atoi(cb.get(i));
      if (ia != null && ib != null) {
        if (ia.longValue() == ib.longValue()) {
          if (i == na - 1) {
            return true;
          } else if (i == nb - 1) {
            return false;
          }
          continue;
        }
        return ia < ib;
      }
      if (ca.get(i).equals(cb.get(i))) {
        if (i == na - 1) {
          return true;
        } else if (i == nb - 1) {
          return false;
        }
        continue;
      }
      return ca.get(i).compareTo(cb.get(i)) < 0;
    }
    return false;
  }

  private static List<String> chunks(String s) {
    List<String> out = new ArrayList<>();
    Matcher m = CHUNK.matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static Long atoi(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return null;
      }
    }
    return Long.parseLong(s);
  }
}
