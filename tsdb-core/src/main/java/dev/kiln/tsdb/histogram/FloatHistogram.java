package dev.kiln.tsdb.histogram;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A native histogram with float counts; bucket counts are absolute (not deltas). This is the form
 * PromQL computes with, since rates and averages make counts fractional. Mutable and not
 * thread-safe: operations such as {@link #add} change the receiver. {@link #customValues} is
 * shared between copies and must never be modified. Span arrays are never changed in place
 * (operations that change the layout assign new arrays), so decoders may share one span array
 * between many histograms; only a {@link HistogramPool} refills span arrays, and it is handed
 * only histograms whose arrays are their own.
 *
 * <p>Semantics (including edge cases and error texts) follow Prometheus's
 * {@code model/histogram.FloatHistogram}.
 */
public final class FloatHistogram {
  /** {@link #add}/{@link #sub} result bit: one side said counter reset, the other not-reset. */
  public static final int COUNTER_RESET_COLLISION = 1;
  /** {@link #add}/{@link #sub} result bit: custom bounds differed and were intersected. */
  public static final int NHCB_BOUNDS_RECONCILED = 2;

  public CounterResetHint counterResetHint = CounterResetHint.UNKNOWN;
  /** −4…8 exponential, or {@link Schemas#CUSTOM_BUCKETS}. */
  public int schema;
  /** Width of the zero bucket. */
  public double zeroThreshold;
  /** Observations in the zero bucket. */
  public double zeroCount;
  /** Total number of observations. */
  public double count;
  /** Sum of observations; a stale marker histogram has the stale NaN here. */
  public double sum;

  public Span[] positiveSpans = IndexedBuckets.NO_SPANS;
  public Span[] negativeSpans = IndexedBuckets.NO_SPANS;
  public double[] positiveBuckets = IndexedBuckets.NO_BUCKETS;
  public double[] negativeBuckets = IndexedBuckets.NO_BUCKETS;
  /** Upper bounds of custom buckets (schema −53), without +Inf; otherwise null. Immutable. */
  public double[] customValues;

  public FloatHistogram() {}

  public boolean usesCustomBuckets() {
    return Schemas.isCustomBuckets(schema);
  }

  /** A deep copy (custom values shared). */
  public FloatHistogram copy() {
    FloatHistogram c = new FloatHistogram();
    copyTo(c);
    return c;
  }

  /** Makes {@code to} a deep copy of this histogram and returns it. */
  public FloatHistogram copyTo(FloatHistogram to) {
    return copyTo(to, null);
  }

  /**
   * Makes {@code to} a deep copy of this histogram with bucket and span arrays taken from {@code
   * pool} (new arrays when it is null; custom values shared), and returns it.
   */
  public FloatHistogram copyTo(FloatHistogram to, HistogramPool pool) {
    to.counterResetHint = counterResetHint;
    to.schema = schema;
    to.count = count;
    to.sum = sum;
    if (usesCustomBuckets()) {
      to.zeroThreshold = 0;
      to.zeroCount = 0;
      to.negativeSpans = IndexedBuckets.NO_SPANS;
      to.negativeBuckets = IndexedBuckets.NO_BUCKETS;
      to.customValues = customValues;
    } else {
      to.zeroThreshold = zeroThreshold;
      to.zeroCount = zeroCount;
      to.negativeSpans = copy(negativeSpans, pool);
      to.negativeBuckets = copy(negativeBuckets, pool);
      to.customValues = null;
    }
    to.positiveSpans = copy(positiveSpans, pool);
    to.positiveBuckets = copy(positiveBuckets, pool);
    return to;
  }

  private static Span[] copy(Span[] from, HistogramPool pool) {
    if (pool == null) {
      return from.clone();
    }
    Span[] to = pool.spans(from.length);
    System.arraycopy(from, 0, to, 0, from.length);
    return to;
  }

  private static double[] copy(double[] from, HistogramPool pool) {
    if (pool == null) {
      return from.clone();
    }
    double[] to = pool.doubles(from.length);
    System.arraycopy(from, 0, to, 0, from.length);
    return to;
  }

  /**
   * As {@link #copyToSchema(int)}, the copy (when the schema is unchanged) being an instance of
   * {@code pool} with its arrays.
   */
  public FloatHistogram copyToSchema(int targetSchema, HistogramPool pool) {
    if (targetSchema == schema) {
      return copyTo(pool.take(), pool);
    }
    return copyToSchema(targetSchema);
  }

  /**
   * A deep copy in {@code targetSchema}, which must be ≤ this schema (exponential only). Like
   * Prometheus, the copy's counter reset hint is UNKNOWN unless the schema is unchanged.
   */
  public FloatHistogram copyToSchema(int targetSchema) {
    if (targetSchema == schema) {
      return copy();
    }
    if (usesCustomBuckets()) {
      throw new IllegalArgumentException(
          "cannot reduce resolution to " + targetSchema + " when there are custom buckets");
    }
    if (Schemas.isCustomBuckets(targetSchema)) {
      throw new IllegalArgumentException("cannot reduce resolution to custom buckets schema");
    }
    if (targetSchema > schema) {
      throw new IllegalArgumentException("cannot copy from schema " + schema + " to " + targetSchema);
    }
    FloatHistogram c = new FloatHistogram();
    c.schema = targetSchema;
    c.zeroThreshold = zeroThreshold;
    c.zeroCount = zeroCount;
    c.count = count;
    c.sum = sum;
    IndexedBuckets p = IndexedBuckets.decode(positiveSpans, positiveBuckets).reduce(schema, targetSchema);
    IndexedBuckets n = IndexedBuckets.decode(negativeSpans, negativeBuckets).reduce(schema, targetSchema);
    c.positiveSpans = p.spans();
    c.positiveBuckets = p.buckets();
    c.negativeSpans = n.spans();
    c.negativeBuckets = n.buckets();
    return c;
  }

  /**
   * Reduces the resolution in place to {@code targetSchema} (< the current schema).
   *
   * @throws IllegalArgumentException for custom buckets or a target not below the schema
   */
  public FloatHistogram reduceResolution(int targetSchema) {
    if (usesCustomBuckets()) {
      throw new IllegalArgumentException("cannot reduce resolution when there are custom buckets");
    }
    if (Schemas.isCustomBuckets(targetSchema)) {
      throw new IllegalArgumentException("cannot reduce resolution to custom buckets schema");
    }
    if (targetSchema >= schema) {
      throw new IllegalArgumentException(
          "cannot reduce resolution from schema " + schema + " to " + targetSchema);
    }
    IndexedBuckets p = IndexedBuckets.decode(positiveSpans, positiveBuckets).reduce(schema, targetSchema);
    IndexedBuckets n = IndexedBuckets.decode(negativeSpans, negativeBuckets).reduce(schema, targetSchema);
    positiveSpans = p.spans();
    positiveBuckets = p.buckets();
    negativeSpans = n.spans();
    negativeBuckets = n.buckets();
    schema = targetSchema;
    return this;
  }

  /** Scales all counts and the sum by {@code factor}; a negative factor makes it a gauge. */
  public FloatHistogram mul(double factor) {
    zeroCount *= factor;
    count *= factor;
    sum *= factor;
    for (int i = 0; i < positiveBuckets.length; i++) {
      positiveBuckets[i] *= factor;
    }
    for (int i = 0; i < negativeBuckets.length; i++) {
      negativeBuckets[i] *= factor;
    }
    if (factor < 0) {
      counterResetHint = CounterResetHint.GAUGE;
    }
    return this;
  }

  /** Divides all counts and the sum; division by zero removes all buckets. */
  public FloatHistogram div(double scalar) {
    zeroCount /= scalar;
    count /= scalar;
    sum /= scalar;
    if (scalar == 0) {
      positiveBuckets = IndexedBuckets.NO_BUCKETS;
      negativeBuckets = IndexedBuckets.NO_BUCKETS;
      positiveSpans = IndexedBuckets.NO_SPANS;
      negativeSpans = IndexedBuckets.NO_SPANS;
      return this;
    }
    for (int i = 0; i < positiveBuckets.length; i++) {
      positiveBuckets[i] /= scalar;
    }
    for (int i = 0; i < negativeBuckets.length; i++) {
      negativeBuckets[i] /= scalar;
    }
    if (scalar < 0) {
      counterResetHint = CounterResetHint.GAUGE;
    }
    return this;
  }

  /**
   * Adds {@code other} into this histogram, reconciling zero thresholds and schemas (the result
   * takes the lower schema). {@code other} is not modified. The result may contain empty buckets;
   * call {@link #compact} to normalize.
   *
   * @return a combination of {@link #COUNTER_RESET_COLLISION} and {@link #NHCB_BOUNDS_RECONCILED}
   * @throws HistogramException (INCOMPATIBLE_SCHEMA) mixing exponential and custom buckets
   */
  public int add(FloatHistogram other) {
    return addOrSub(other, false);
  }

  /**
   * Subtracts {@code other} like {@link #add}. The counter reset hint is adjusted as for add; the
   * PromQL {@code -} operator sets it to gauge afterwards.
   */
  public int sub(FloatHistogram other) {
    return addOrSub(other, true);
  }

  private int addOrSub(FloatHistogram other, boolean negative) {
    if (usesCustomBuckets() != other.usesCustomBuckets()) {
      throw HistogramException.incompatibleSchema();
    }
    int flags = adjustCounterReset(other) ? COUNTER_RESET_COLLISION : 0;
    if (!usesCustomBuckets()) {
      double otherZeroCount = reconcileZeroBuckets(other);
      zeroCount = negative ? zeroCount - otherZeroCount : zeroCount + otherZeroCount;
    }
    if (negative) {
      count -= other.count;
      sum -= other.sum;
    } else {
      count += other.count;
      sum += other.sum;
    }
    if (addInPlace(other, negative)) {
      return flags;
    }
    IndexedBuckets hp = IndexedBuckets.decode(positiveSpans, positiveBuckets);
    IndexedBuckets op = IndexedBuckets.decode(other.positiveSpans, other.positiveBuckets);
    if (usesCustomBuckets()) {
      if (Arrays.equals(customValues, other.customValues)) {
        setPositive(hp.plus(op, schema, zeroThreshold, negative));
      } else {
        flags |= NHCB_BOUNDS_RECONCILED;
        double[] bounds = intersectBounds(customValues, other.customValues);
        IndexedBuckets mapped = mapToBounds(hp, customValues, bounds, false, null);
        mapped = mapToBounds(op, other.customValues, bounds, negative, mapped);
        setPositive(mapped.compact(0));
        customValues = bounds;
      }
      return flags;
    }
    IndexedBuckets hn = IndexedBuckets.decode(negativeSpans, negativeBuckets);
    IndexedBuckets on = IndexedBuckets.decode(other.negativeSpans, other.negativeBuckets);
    if (other.schema < schema) {
      hp = hp.reduce(schema, other.schema);
      hn = hn.reduce(schema, other.schema);
      schema = other.schema;
    } else if (other.schema > schema) {
      op = op.reduce(other.schema, schema);
      on = on.reduce(other.schema, schema);
    }
    setPositive(hp.plus(op, schema, zeroThreshold, negative));
    setNegative(hn.plus(on, schema, zeroThreshold, negative));
    return flags;
  }

  /**
   * The bucket part of add/sub without allocation when the result keeps this histogram's layout:
   * same schema (and custom bounds), canonical spans here, and every bucket of {@code other}
   * outside the zero bucket present here. Zero buckets must be reconciled already. Returns false,
   * changing nothing, when the general path is needed.
   */
  private boolean addInPlace(FloatHistogram other, boolean negative) {
    if (schema != other.schema) {
      return false;
    }
    boolean custom = usesCustomBuckets();
    if (custom && !Arrays.equals(customValues, other.customValues)) {
      return false;
    }
    if (!InPlaceBuckets.canonical(positiveSpans, positiveBuckets.length)
        || !InPlaceBuckets.covers(other.positiveSpans, other.positiveBuckets.length)) {
      return false;
    }
    int pStart = custom ? 0
        : InPlaceBuckets.leadingInZeroBucket(other.positiveSpans, other.positiveBuckets.length, schema, zeroThreshold);
    if (!InPlaceBuckets.apply(InPlaceBuckets.CHECK, positiveSpans, positiveBuckets, null,
        other.positiveSpans, other.positiveBuckets, pStart)) {
      return false;
    }
    int nStart = 0;
    if (!custom) {
      if (!InPlaceBuckets.canonical(negativeSpans, negativeBuckets.length)
          || !InPlaceBuckets.covers(other.negativeSpans, other.negativeBuckets.length)) {
        return false;
      }
      nStart = InPlaceBuckets.leadingInZeroBucket(other.negativeSpans, other.negativeBuckets.length, schema,
          zeroThreshold);
      if (!InPlaceBuckets.apply(InPlaceBuckets.CHECK, negativeSpans, negativeBuckets, null,
          other.negativeSpans, other.negativeBuckets, nStart)) {
        return false;
      }
    }
    int op = negative ? InPlaceBuckets.SUB : InPlaceBuckets.ADD;
    InPlaceBuckets.apply(op, positiveSpans, positiveBuckets, null, other.positiveSpans, other.positiveBuckets, pStart);
    if (!custom) {
      InPlaceBuckets.apply(op, negativeSpans, negativeBuckets, null, other.negativeSpans, other.negativeBuckets,
          nStart);
    }
    return true;
  }

  /**
   * Adds {@code other} with Kahan–Neumaier compensation, as Prometheus's {@code KahanAdd}: the
   * rounding error of every field and bucket accumulates in {@code comp} (caller-owned, initially
   * {@code new FloatHistogram()}), which the caller finally adds to the sum. When schemas, zero
   * thresholds or custom bounds differ, the compensation is folded in first and the histograms
   * are added plainly.
   *
   * @return the flags of {@link #add}
   */
  public int kahanAdd(FloatHistogram other, FloatHistogram comp) {
    return kahanAdd(other, comp, false);
  }

  /**
   * As {@link #kahanAdd(FloatHistogram, FloatHistogram)}; with {@code fillGaps}, a sum whose
   * layout must widen to take {@code other}'s buckets also gets explicit empty buckets in the gaps
   * of up to {@value #FILLED_GAP} buckets between its buckets and (exponential schemas) {@value
   * #FILLED_GAP} beyond an end that {@code other} widened, so later operands with buckets there
   * are added in place. The counts are the same; a caller that passes true compacts
   * the final sum, which removes the empty buckets.
   */
  public int kahanAdd(FloatHistogram other, FloatHistogram comp, boolean fillGaps) {
    if (usesCustomBuckets() != other.usesCustomBuckets()) {
      throw HistogramException.incompatibleSchema();
    }
    boolean compEmpty = comp.count == 0 && comp.sum == 0 && comp.zeroCount == 0
        && comp.positiveBuckets.length == 0 && comp.negativeBuckets.length == 0;
    if (compEmpty) {
      comp.schema = schema;
      comp.zeroThreshold = zeroThreshold;
      comp.customValues = customValues;
      comp.counterResetHint = CounterResetHint.UNKNOWN;
    }
    boolean sameLayout = schema == other.schema && zeroThreshold == other.zeroThreshold
        && Arrays.equals(customValues, other.customValues)
        && comp.schema == schema && comp.zeroThreshold == zeroThreshold && Arrays.equals(comp.customValues, customValues);
    if (!sameLayout) {
      if (!compEmpty) {
        CounterResetHint hint = counterResetHint;
        comp.counterResetHint = hint;
        add(comp);
        counterResetHint = hint;
      }
      int flags = add(other);
      FloatHistogram empty = new FloatHistogram();
      empty.copyTo(comp);
      comp.schema = schema;
      comp.zeroThreshold = zeroThreshold;
      comp.customValues = customValues;
      return flags;
    }
    int flags = adjustCounterReset(other) ? COUNTER_RESET_COLLISION : 0;
    if (!usesCustomBuckets()) {
      comp.zeroCount = kahanC(other.zeroCount, zeroCount, comp.zeroCount);
      zeroCount += other.zeroCount;
    }
    comp.count = kahanC(other.count, count, comp.count);
    count += other.count;
    comp.sum = kahanC(other.sum, sum, comp.sum);
    sum += other.sum;
    if (kahanInPlace(other, comp)) {
      return flags;
    }
    IndexedBuckets[] p = kahanSide(positiveSpans, positiveBuckets, comp.positiveSpans, comp.positiveBuckets,
        other.positiveSpans, other.positiveBuckets, fillGaps);
    setPositive(p[0]);
    comp.setPositive(p[1]);
    if (!usesCustomBuckets()) {
      IndexedBuckets[] n = kahanSide(negativeSpans, negativeBuckets, comp.negativeSpans, comp.negativeBuckets,
          other.negativeSpans, other.negativeBuckets, fillGaps);
      setNegative(n[0]);
      comp.setNegative(n[1]);
    }
    return flags;
  }

  /**
   * The bucket part of kahanAdd without allocation (beyond laying out an empty compensation once)
   * when the result keeps this histogram's layout: canonical spans here, every bucket of {@code
   * other} outside the zero bucket present here, and the compensation empty or laid out as this.
   * Same layout of schema, threshold and bounds is established by the caller. Returns false,
   * changing nothing, when the general path is needed.
   */
  private boolean kahanInPlace(FloatHistogram other, FloatHistogram comp) {
    boolean custom = usesCustomBuckets();
    if (!kahanSideReady(positiveSpans, positiveBuckets, comp.positiveSpans, comp.positiveBuckets,
        other.positiveSpans, other.positiveBuckets, custom)) {
      return false;
    }
    if (!custom && !kahanSideReady(negativeSpans, negativeBuckets, comp.negativeSpans, comp.negativeBuckets,
        other.negativeSpans, other.negativeBuckets, false)) {
      return false;
    }
    if (comp.positiveBuckets.length != positiveBuckets.length) {
      comp.positiveSpans = positiveSpans.length == 0 ? IndexedBuckets.NO_SPANS : positiveSpans.clone();
      comp.positiveBuckets = positiveBuckets.length == 0 ? IndexedBuckets.NO_BUCKETS : new double[positiveBuckets.length];
    }
    InPlaceBuckets.apply(InPlaceBuckets.KAHAN, positiveSpans, positiveBuckets, comp.positiveBuckets,
        other.positiveSpans, other.positiveBuckets, custom ? 0 : InPlaceBuckets.leadingInZeroBucket(
            other.positiveSpans, other.positiveBuckets.length, schema, zeroThreshold));
    if (!custom) {
      if (comp.negativeBuckets.length != negativeBuckets.length) {
        comp.negativeSpans = negativeSpans.length == 0 ? IndexedBuckets.NO_SPANS : negativeSpans.clone();
        comp.negativeBuckets = negativeBuckets.length == 0 ? IndexedBuckets.NO_BUCKETS
            : new double[negativeBuckets.length];
      }
      InPlaceBuckets.apply(InPlaceBuckets.KAHAN, negativeSpans, negativeBuckets, comp.negativeBuckets,
          other.negativeSpans, other.negativeBuckets, InPlaceBuckets.leadingInZeroBucket(
              other.negativeSpans, other.negativeBuckets.length, schema, zeroThreshold));
    }
    return true;
  }

  private boolean kahanSideReady(Span[] as, double[] ab, Span[] cs, double[] cb, Span[] os, double[] ob,
      boolean custom) {
    if (!InPlaceBuckets.canonical(as, ab.length) || !InPlaceBuckets.covers(os, ob.length)) {
      return false;
    }
    if (cb.length != 0 && !(cb.length == ab.length && Arrays.equals(cs, as))) {
      return false;
    }
    if (cb.length == 0 && cs.length != 0) {
      return false;
    }
    int start = custom ? 0 : InPlaceBuckets.leadingInZeroBucket(os, ob.length, schema, zeroThreshold);
    return InPlaceBuckets.apply(InPlaceBuckets.CHECK, as, ab, null, os, ob, start);
  }

  /** The widest gap between buckets that {@link #kahanAdd(FloatHistogram, FloatHistogram, boolean)} fills. */
  public static final int FILLED_GAP = 16;

  private IndexedBuckets[] kahanSide(
      Span[] as, double[] ab, Span[] cs, double[] cb, Span[] os, double[] ob, boolean fillGaps) {
    IndexedBuckets a = IndexedBuckets.decode(as, ab);
    IndexedBuckets c = IndexedBuckets.decode(cs, cb);
    IndexedBuckets o = IndexedBuckets.decode(os, ob);
    int start = 0;
    if (Schemas.isExponential(schema)) {
      while (start < o.n && Schemas.exponentialBound(o.idx[start], schema) <= zeroThreshold) {
        start++;
      }
    }
    IndexedBuckets outA = new IndexedBuckets(a.n + o.n);
    IndexedBuckets outC = new IndexedBuckets(a.n + o.n);
    // With fillGaps in an exponential schema, an operand that widens the sum at either end widens
    // it by FILLED_GAP more empty buckets, so the next operands' outliers fit in place.
    boolean pad = fillGaps && Schemas.isExponential(schema) && start < o.n;
    if (pad && (a.n == 0 || o.idx[start] < a.idx[0]) && (c.n == 0 || o.idx[start] < c.idx[0])) {
      for (int e = o.idx[start] - FILLED_GAP; e < o.idx[start]; e++) {
        outA.add(e, 0);
        outC.add(e, 0);
      }
    }
    int i = 0;
    int j = start;
    int k = 0;
    while (i < a.n || j < o.n || k < c.n) {
      int idx = Integer.MAX_VALUE;
      if (i < a.n) {
        idx = Math.min(idx, a.idx[i]);
      }
      if (j < o.n) {
        idx = Math.min(idx, o.idx[j]);
      }
      if (k < c.n) {
        idx = Math.min(idx, c.idx[k]);
      }
      double av = 0;
      double cv = 0;
      if (i < a.n && a.idx[i] == idx) {
        av = a.cnt[i++];
      }
      if (k < c.n && c.idx[k] == idx) {
        cv = c.cnt[k++];
      }
      if (j < o.n && o.idx[j] == idx) {
        double inc = o.cnt[j++];
        cv = kahanC(inc, av, cv);
        av += inc;
      }
      if (fillGaps && outA.n > 0) {
        int gap = idx - outA.idx[outA.n - 1] - 1;
        if (gap > 0 && gap <= FILLED_GAP) {
          for (int e = idx - gap; e < idx; e++) {
            outA.add(e, 0);
            outC.add(e, 0);
          }
        }
      }
      outA.add(idx, av);
      outC.add(idx, cv);
    }
    if (pad && outA.idx[outA.n - 1] == o.idx[o.n - 1]
        && (a.n == 0 || o.idx[o.n - 1] > a.idx[a.n - 1]) && (c.n == 0 || o.idx[o.n - 1] > c.idx[c.n - 1])) {
      int last = o.idx[o.n - 1];
      for (int e = last + 1; e <= last + FILLED_GAP; e++) {
        outA.add(e, 0);
        outC.add(e, 0);
      }
    }
    return new IndexedBuckets[] {outA, outC};
  }

  /** The new compensation of Go's kahansum.Inc(inc, sum, c). */
  private static double kahanC(double inc, double sum, double c) {
    double t = sum + inc;
    if (Double.isInfinite(t)) {
      return 0;
    }
    if (Math.abs(sum) >= Math.abs(inc)) {
      return c + ((sum - t) + inc);
    }
    return c + ((inc - t) + sum);
  }

  /** Whether count, sum, the zero bucket or any bucket is infinite. */
  public boolean hasOverflow() {
    if (Double.isInfinite(count) || Double.isInfinite(sum) || Double.isInfinite(zeroCount)) {
      return true;
    }
    for (double b : positiveBuckets) {
      if (Double.isInfinite(b)) {
        return true;
      }
    }
    for (double b : negativeBuckets) {
      if (Double.isInfinite(b)) {
        return true;
      }
    }
    return false;
  }

  private void setPositive(IndexedBuckets b) {
    positiveSpans = b.spans();
    positiveBuckets = b.buckets();
  }

  private void setNegative(IndexedBuckets b) {
    negativeSpans = b.spans();
    negativeBuckets = b.buckets();
  }

  /** Intersection of two ascending bound lists (null when empty). */
  static double[] intersectBounds(double[] a, double[] b) {
    if (a == null || b == null || a.length == 0 || b.length == 0) {
      return null;
    }
    double[] out = new double[Math.min(a.length, b.length)];
    int n = 0;
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        out[n++] = a[i];
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return n == 0 ? null : Arrays.copyOf(out, n);
  }

  /** Maps custom buckets onto the (coarser) {@code target} bounds, adding into {@code into}. */
  private static IndexedBuckets mapToBounds(
      IndexedBuckets src, double[] srcBounds, double[] target, boolean negative, IndexedBuckets into) {
    int targetLen = target == null ? 0 : target.length;
    IndexedBuckets out = into;
    if (out == null) {
      out = new IndexedBuckets(targetLen + 1);
      for (int i = 0; i <= targetLen; i++) {
        out.add(i, 0);
      }
    }
    int t = 0;
    for (int i = 0; i < src.n; i++) {
      int srcIdx = src.idx[i];
      int targetIdx = targetLen;
      if (srcBounds != null && srcIdx < srcBounds.length) {
        double bound = srcBounds[srcIdx];
        while (t < targetLen && target[t] < bound) {
          t++;
        }
        if (t < targetLen) {
          targetIdx = t;
        }
      }
      out.cnt[targetIdx] += negative ? -src.cnt[i] : src.cnt[i];
    }
    return out;
  }

  /** True on a hint collision (reset vs. not-reset); the hint becomes UNKNOWN then. */
  private boolean adjustCounterReset(FloatHistogram other) {
    CounterResetHint o = other.counterResetHint;
    if (o == counterResetHint || counterResetHint == CounterResetHint.GAUGE) {
      return false;
    }
    if (o == CounterResetHint.GAUGE) {
      counterResetHint = CounterResetHint.GAUGE;
      return false;
    }
    if (counterResetHint == CounterResetHint.UNKNOWN) {
      return false;
    }
    counterResetHint = CounterResetHint.UNKNOWN;
    return o != CounterResetHint.UNKNOWN;
  }

  /**
   * Widens this zero bucket and {@code other}'s (virtually) to a common threshold; returns the
   * zero count {@code other} would have with it.
   */
  private double reconcileZeroBuckets(FloatHistogram other) {
    double otherZeroCount = other.zeroCount;
    double otherZeroThreshold = other.zeroThreshold;
    while (otherZeroThreshold != zeroThreshold) {
      if (zeroThreshold > otherZeroThreshold) {
        double[] r = other.zeroCountForLargerThreshold(zeroThreshold);
        otherZeroCount = r[0];
        otherZeroThreshold = r[1];
      }
      if (otherZeroThreshold > zeroThreshold) {
        double[] r = zeroCountForLargerThreshold(otherZeroThreshold);
        zeroCount = r[0];
        zeroThreshold = r[1];
        trimBucketsInZeroBucket();
      }
    }
    return otherZeroCount;
  }

  /**
   * The zero count and threshold this histogram would have with the larger threshold; a threshold
   * inside a populated bucket moves up to that bucket's upper bound.
   */
  private double[] zeroCountForLargerThreshold(double largerThreshold) {
    if (largerThreshold == zeroThreshold) {
      return new double[] {zeroCount, largerThreshold};
    }
    outer:
    while (true) {
      double c = zeroCount;
      BucketIterator it = positiveBucketIterator();
      while (it.next()) {
        Bucket b = it.at();
        if (b.lower() >= largerThreshold) {
          break;
        }
        c += b.count();
        if (b.upper() > largerThreshold) {
          if (b.count() != 0) {
            largerThreshold = b.upper();
          }
          break;
        }
      }
      it = negativeBucketIterator();
      while (it.next()) {
        Bucket b = it.at();
        if (b.upper() <= -largerThreshold) {
          break;
        }
        c += b.count();
        if (b.lower() < -largerThreshold) {
          if (b.count() != 0) {
            largerThreshold = -b.lower();
            continue outer;
          }
          break;
        }
      }
      return new double[] {c, largerThreshold};
    }
  }

  private void trimBucketsInZeroBucket() {
    BucketIterator it = positiveBucketIterator();
    int i = 0;
    while (it.next()) {
      if (it.at().lower() >= zeroThreshold) {
        break;
      }
      positiveBuckets[i++] = 0;
    }
    it = negativeBucketIterator();
    i = 0;
    while (it.next()) {
      if (it.at().upper() <= -zeroThreshold) {
        break;
      }
      negativeBuckets[i++] = 0;
    }
    compact(0);
  }

  /**
   * Removes empty buckets and merges spans at most {@code maxEmptyBuckets} apart (keeping that
   * many empty buckets explicitly). In place; returns this.
   */
  public FloatHistogram compact(int maxEmptyBuckets) {
    return compact(maxEmptyBuckets, null);
  }

  /**
   * As {@link #compact(int)}; with a {@code pool}, the compacted arrays are taken from it and the
   * replaced ones handed back to it, so this histogram's arrays must be its own (shared with no
   * other histogram).
   */
  public FloatHistogram compact(int maxEmptyBuckets, HistogramPool pool) {
    boolean positiveDone = alreadyCompact(positiveSpans, positiveBuckets, maxEmptyBuckets);
    boolean negativeDone = alreadyCompact(negativeSpans, negativeBuckets, maxEmptyBuckets);
    if (positiveDone && negativeDone) {
      return this;
    }
    Object[] out = new Object[2];
    if (pool == null || !positiveDone) {
      Span[] oldSpans = positiveSpans;
      double[] oldBuckets = positiveBuckets;
      InPlaceBuckets.compact(positiveSpans, positiveBuckets, maxEmptyBuckets, out, pool);
      positiveSpans = (Span[]) out[0];
      positiveBuckets = (double[]) out[1];
      if (pool != null) {
        pool.give(oldSpans);
        pool.give(oldBuckets);
      }
    }
    if (pool == null || !negativeDone) {
      Span[] oldSpans = negativeSpans;
      double[] oldBuckets = negativeBuckets;
      InPlaceBuckets.compact(negativeSpans, negativeBuckets, maxEmptyBuckets, out, pool);
      negativeSpans = (Span[]) out[0];
      negativeBuckets = (double[]) out[1];
      if (pool != null) {
        pool.give(oldSpans);
        pool.give(oldBuckets);
      }
    }
    return this;
  }

  /**
   * Whether compacting one side would leave it as it is: canonical spans, no empty bucket, and no
   * gap short enough to be filled with explicit empty buckets.
   */
  private static boolean alreadyCompact(Span[] spans, double[] buckets, int maxEmptyBuckets) {
    if (!InPlaceBuckets.canonical(spans, buckets.length)) {
      return false;
    }
    for (int s = 1; s < spans.length; s++) {
      if (spans[s].offset() <= maxEmptyBuckets) {
        return false;
      }
    }
    for (double b : buckets) {
      if (b == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this histogram, following {@code previous}, implies a counter reset: a hint says so,
   * or any count (total, zero bucket, any bucket; not the sum) decreased, a populated bucket
   * vanished, the schema grew or the zero threshold shrank.
   */
  public boolean detectReset(FloatHistogram previous) {
    if (counterResetHint == CounterResetHint.COUNTER_RESET) {
      return true;
    }
    if (counterResetHint == CounterResetHint.NOT_COUNTER_RESET) {
      return false;
    }
    if (count < previous.count) {
      return true;
    }
    if (schema == previous.schema && zeroThreshold == previous.zeroThreshold && Schemas.isExponential(schema)
        && positiveBuckets.length == previous.positiveBuckets.length
        && negativeBuckets.length == previous.negativeBuckets.length
        && Arrays.equals(positiveSpans, previous.positiveSpans) && Arrays.equals(negativeSpans, previous.negativeSpans)
        && InPlaceBuckets.covers(positiveSpans, positiveBuckets.length)
        && InPlaceBuckets.covers(negativeSpans, negativeBuckets.length)) {
      // Same layout: the general comparison below reduces to bucket-by-bucket, without decoding.
      return zeroCount < previous.zeroCount
          || InPlaceBuckets.decreasedSameLayout(positiveSpans, positiveBuckets, previous.positiveBuckets, schema,
              zeroThreshold)
          || InPlaceBuckets.decreasedSameLayout(negativeSpans, negativeBuckets, previous.negativeBuckets, schema,
              zeroThreshold);
    }
    if (schema == previous.schema && zeroThreshold == previous.zeroThreshold && Schemas.isExponential(schema)
        && InPlaceBuckets.covers(positiveSpans, positiveBuckets.length)
        && InPlaceBuckets.covers(negativeSpans, negativeBuckets.length)
        && InPlaceBuckets.covers(previous.positiveSpans, previous.positiveBuckets.length)
        && InPlaceBuckets.covers(previous.negativeSpans, previous.negativeBuckets.length)) {
      // Same schema and threshold, another layout: the general comparison below, walking the spans.
      return zeroCount < previous.zeroCount
          || InPlaceBuckets.decreasedMerged(positiveSpans, positiveBuckets, previous.positiveSpans,
              previous.positiveBuckets, schema, zeroThreshold)
          || InPlaceBuckets.decreasedMerged(negativeSpans, negativeBuckets, previous.negativeSpans,
              previous.negativeBuckets, schema, zeroThreshold);
    }
    if (usesCustomBuckets()) {
      if (!previous.usesCustomBuckets()) {
        return true;
      }
      if (!Arrays.equals(customValues, previous.customValues)) {
        return detectResetWithMismatchedBounds(previous);
      }
    }
    if (schema > previous.schema) {
      return true;
    }
    if (zeroThreshold < previous.zeroThreshold) {
      return true;
    }
    double[] prevZero = previous.zeroCountForLargerThreshold(zeroThreshold);
    if (prevZero[1] != zeroThreshold) {
      return true;
    }
    if (zeroCount < prevZero[0]) {
      return true;
    }
    if (Schemas.isCustomBuckets(schema) != Schemas.isCustomBuckets(previous.schema)) {
      return true;
    }
    return detectReset(side(true, zeroThreshold, schema), previous.side(true, zeroThreshold, schema))
        || detectReset(side(false, zeroThreshold, schema), previous.side(false, zeroThreshold, schema));
  }

  private static boolean detectReset(IndexedBuckets curr, IndexedBuckets prev) {
    int c = 0;
    for (int p = 0; p < prev.n; p++) {
      while (c < curr.n && curr.idx[c] < prev.idx[p]) {
        c++;
      }
      if (c < curr.n && curr.idx[c] == prev.idx[p]) {
        if (curr.cnt[c] < prev.cnt[p]) {
          return true;
        }
      } else if (prev.cnt[p] != 0) {
        return true;
      }
    }
    return false;
  }

  private boolean detectResetWithMismatchedBounds(FloatHistogram previous) {
    IndexedBuckets curr = IndexedBuckets.decode(positiveSpans, positiveBuckets);
    IndexedBuckets prev = IndexedBuckets.decode(previous.positiveSpans, previous.positiveBuckets);
    double[] cb = customValues;
    double[] pb = previous.customValues;
    int ci = 0;
    int pi = 0;
    int cpos = 0;
    int ppos = 0;
    while (ci <= cb.length && pi <= pb.length) {
      double cBound = ci < cb.length ? cb[ci] : Double.POSITIVE_INFINITY;
      double pBound = pi < pb.length ? pb[pi] : Double.POSITIVE_INFINITY;
      if (cBound == pBound) {
        double cs = 0;
        while (cpos < curr.n && Schemas.bound(curr.idx[cpos], schema, cb) <= cBound) {
          cs += curr.cnt[cpos++];
        }
        double ps = 0;
        while (ppos < prev.n && Schemas.bound(prev.idx[ppos], previous.schema, pb) <= cBound) {
          ps += prev.cnt[ppos++];
        }
        if (cs < ps) {
          return true;
        }
        ci++;
        pi++;
      } else if (cBound < pBound) {
        ci++;
      } else {
        pi++;
      }
    }
    return false;
  }

  /**
   * One side merged into {@code targetSchema}, without buckets whose absolute upper bound is ≤
   * {@code absoluteStart} (exponential schemas only).
   */
  private IndexedBuckets side(boolean positive, double absoluteStart, int targetSchema) {
    IndexedBuckets b =
        positive
            ? IndexedBuckets.decode(positiveSpans, positiveBuckets)
            : IndexedBuckets.decode(negativeSpans, negativeBuckets);
    if (Schemas.isCustomBuckets(schema)) {
      return b;
    }
    b = b.reduce(schema, targetSchema);
    int start = 0;
    while (start < b.n && Schemas.exponentialBound(b.idx[start], targetSchema) <= absoluteStart) {
      start++;
    }
    if (start == 0) {
      return b;
    }
    IndexedBuckets out = new IndexedBuckets(b.n - start);
    for (int i = start; i < b.n; i++) {
      out.add(b.idx[i], b.cnt[i]);
    }
    return out;
  }

  /** The zero bucket, [-threshold, threshold]. Not for custom buckets. */
  public Bucket zeroBucket() {
    if (usesCustomBuckets()) {
      throw new IllegalStateException("histograms with custom buckets have no zero bucket");
    }
    return new Bucket(-zeroThreshold, zeroThreshold, true, true, zeroCount, 0);
  }

  /** Positive buckets, ascending. */
  public BucketIterator positiveBucketIterator() {
    return new SideIterator(positiveSpans, positiveBuckets, null, schema, true, customValues);
  }

  /** Negative buckets, from the zero bucket downwards. */
  public BucketIterator negativeBucketIterator() {
    return new SideIterator(negativeSpans, negativeBuckets, null, schema, false, null);
  }

  /** Positive buckets, from the highest down to the zero bucket. */
  public BucketIterator positiveReverseBucketIterator() {
    return new ReverseSideIterator(positiveSpans, positiveBuckets, schema, true, customValues);
  }

  /** Negative buckets, from the lowest up to the zero bucket. */
  public BucketIterator negativeReverseBucketIterator() {
    return new ReverseSideIterator(negativeSpans, negativeBuckets, schema, false, null);
  }

  /**
   * All buckets in ascending order: negative, zero (if populated), positive. Buckets overlapping
   * the zero bucket are clipped to the zero threshold.
   */
  public BucketIterator allBucketIterator() {
    return new AllBucketIterator(this, negativeReverseBucketIterator(), positiveBucketIterator());
  }

  /** All buckets in descending order: positive, zero (if populated), negative. */
  public BucketIterator allReverseBucketIterator() {
    return new AllBucketIterator(this, positiveReverseBucketIterator(), negativeBucketIterator());
  }

  private static final class AllBucketIterator implements BucketIterator {
    private final FloatHistogram h;
    private final BucketIterator left;
    private final BucketIterator right;
    private int state = -1;
    private Bucket curr;

    AllBucketIterator(FloatHistogram h, BucketIterator left, BucketIterator right) {
      this.h = h;
      this.left = left;
      this.right = right;
    }

    @Override
    public boolean next() {
      while (true) {
        switch (state) {
          case -1:
            if (left.next()) {
              curr = clip(left.at());
              return true;
            }
            state = 0;
            break;
          case 0:
            state = 1;
            if (h.zeroCount > 0) {
              curr = h.zeroBucket();
              return true;
            }
            break;
          case 1:
            if (right.next()) {
              curr = clip(right.at());
              return true;
            }
            state = 2;
            return false;
          default:
            return false;
        }
      }
    }

    private Bucket clip(Bucket b) {
      double zt = h.zeroThreshold;
      if (b.upper() < 0 && b.upper() > -zt) {
        return new Bucket(b.lower(), -zt, b.lowerInclusive(), b.upperInclusive(), b.count(), b.index());
      }
      if (b.lower() > 0 && b.lower() < zt) {
        return new Bucket(zt, b.upper(), b.lowerInclusive(), b.upperInclusive(), b.count(), b.index());
      }
      return b;
    }

    @Override
    public Bucket at() {
      return curr;
    }
  }

  /**
   * Validates spans against buckets, bucket and total counts against negative values, and the
   * fields that the schema excludes.
   *
   * @throws HistogramException with Prometheus's error text
   */
  public void validate() {
    if (Schemas.isCustomBuckets(schema)) {
      Validation.checkCustomBounds(customValues, positiveSpans, positiveBuckets.length);
      Validation.checkCustomOnlyFields(zeroCount != 0, zeroThreshold != 0, negativeSpans.length, negativeBuckets.length);
    } else if (Schemas.isExponential(schema)) {
      Validation.checkSpans("positive side: ", positiveSpans, positiveBuckets.length);
      Validation.checkSpans("negative side: ", negativeSpans, negativeBuckets.length);
      Validation.checkFloatBuckets("negative side: ", negativeBuckets);
      if (zeroCount < 0) {
        throw HistogramException.invalid(
            "zero bucket has observation count of " + GoFloats.format(zeroCount, Notation.V) + ": " + Validation.NEGATIVE_BUCKET_COUNT);
      }
      if (customValues != null) {
        throw HistogramException.invalid(Validation.EXP_SCHEMA_CUSTOM_BOUNDS);
      }
    } else {
      throw HistogramException.invalid(Validation.invalidSchema(schema));
    }
    if (count < 0) {
      throw HistogramException.invalid(
          "observation count is  " + GoFloats.format(count, Notation.V) + ": " + Validation.NEGATIVE_COUNT);
    }
    Validation.checkFloatBuckets("positive side: ", positiveBuckets);
  }

  /**
   * Exact equality of data: schema, threshold, bucket layout, and the bit patterns of count, sum,
   * zero count and bucket counts. The counter reset hint is not compared.
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FloatHistogram h2)) {
      return false;
    }
    if (schema != h2.schema || bits(count) != bits(h2.count) || bits(sum) != bits(h2.sum)) {
      return false;
    }
    if (usesCustomBuckets() && !Arrays.equals(customValues, h2.customValues)) {
      return false;
    }
    if (zeroThreshold != h2.zeroThreshold || bits(zeroCount) != bits(h2.zeroCount)) {
      return false;
    }
    return sameBuckets(negativeSpans, negativeBuckets, h2.negativeSpans, h2.negativeBuckets)
        && sameBuckets(positiveSpans, positiveBuckets, h2.positiveSpans, h2.positiveBuckets);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(count) * 31 + Double.hashCode(sum) * 17 + schema;
  }

  private static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }

  private static boolean sameBuckets(Span[] sa, double[] ba, Span[] sb, double[] bb) {
    if (ba.length != bb.length) {
      return false;
    }
    IndexedBuckets a = IndexedBuckets.decode(sa, ba);
    IndexedBuckets b = IndexedBuckets.decode(sb, bb);
    if (a.n != b.n) {
      return false;
    }
    for (int i = 0; i < a.n; i++) {
      if (a.idx[i] != b.idx[i] || bits(a.cnt[i]) != bits(b.cnt[i])) {
        return false;
      }
    }
    return true;
  }

  /** Prometheus's text form: {@code {count:4, sum:5, [-2,-1):1, [-0.001,0.001]:2, (1,2]:1}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("{count:").append(GoFloats.format(count, Notation.V)).append(", sum:").append(GoFloats.format(sum, Notation.V));
    List<Bucket> neg = new ArrayList<>();
    BucketIterator it = negativeBucketIterator();
    while (it.next()) {
      if (it.at().count() != 0) {
        neg.add(it.at());
      }
    }
    for (int i = neg.size() - 1; i >= 0; i--) {
      sb.append(", ").append(neg.get(i));
    }
    if (zeroCount != 0) {
      sb.append(", ").append(zeroBucket());
    }
    it = positiveBucketIterator();
    while (it.next()) {
      if (it.at().count() != 0) {
        sb.append(", ").append(it.at());
      }
    }
    return sb.append('}').toString();
  }

  /** The PromQL test-script notation of this histogram, e.g. {@code {{count:4 sum:5 buckets:[1 2 1]}}}. */
  public String testExpression() {
    FloatHistogram m = copy().compact(Integer.MAX_VALUE);
    List<String> res = new ArrayList<>();
    if (m.schema != 0) {
      res.add("schema:" + m.schema);
    }
    if (m.count != 0) {
      res.add("count:" + GoFloats.format(m.count, Notation.V));
    }
    if (m.sum != 0) {
      res.add("sum:" + GoFloats.format(m.sum, Notation.V));
    }
    if (m.zeroCount != 0) {
      res.add("z_bucket:" + GoFloats.format(m.zeroCount, Notation.V));
    }
    if (m.zeroThreshold != 0) {
      res.add("z_bucket_w:" + GoFloats.format(m.zeroThreshold, Notation.V));
    }
    if (m.usesCustomBuckets()) {
      res.add("custom_values:" + list(m.customValues == null ? IndexedBuckets.NO_BUCKETS : m.customValues));
    }
    switch (m.counterResetHint) {
      case COUNTER_RESET -> res.add("counter_reset_hint:reset");
      case NOT_COUNTER_RESET -> res.add("counter_reset_hint:not_reset");
      case GAUGE -> res.add("counter_reset_hint:gauge");
      default -> {}
    }
    if (m.positiveSpans.length > 0 && m.positiveSpans[0].offset() != 0) {
      res.add("offset:" + m.positiveSpans[0].offset());
    }
    if (m.positiveBuckets.length > 0) {
      res.add("buckets:" + list(m.positiveBuckets));
    }
    if (m.negativeSpans.length > 0 && m.negativeSpans[0].offset() != 0) {
      res.add("n_offset:" + m.negativeSpans[0].offset());
    }
    if (m.negativeBuckets.length > 0) {
      res.add("n_buckets:" + list(m.negativeBuckets));
    }
    return "{{" + String.join(" ", res) + "}}";
  }

  private static String list(double[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(GoFloats.format(values[i], Notation.V));
    }
    return sb.append(']').toString();
  }
}
