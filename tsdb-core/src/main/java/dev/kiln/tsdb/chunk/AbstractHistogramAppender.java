package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;

/**
 * What {@link HistogramAppender} and {@link FloatHistogramAppender} share, following Prometheus's
 * {@code AppendHistogram} / {@code AppendFloatHistogram}: the decision between appending, cutting
 * a new chunk, inserting the chunk's missing buckets into the sample and recoding the chunk with a
 * wider layout; the counter-reset checks that do not depend on the count type; gauge
 * appendability; recoding; continuing a stored chunk; and the sample time's bits. Subclasses
 * supply access to their histogram type, the count comparisons and the bit encoding of one
 * sample's values (the hot loop, kept type-specific).
 *
 * <p>Single-thread. Callers append in increasing time order.
 *
 * @param <H> the histogram type
 * @param <A> the concrete appender type
 */
abstract class AbstractHistogramAppender<H, A extends AbstractHistogramAppender<H, A>> {
  final HistogramChunk chunk;
  boolean recoded;
  HistogramLayout layout;
  private long t = Long.MIN_VALUE;
  private long tDelta;
  /** The outcome of the last appendability check, reused from sample to sample. */
  private final Verdict verdict = new Verdict();

  AbstractHistogramAppender(HistogramChunk chunk) {
    this.chunk = chunk;
  }

  // ---- what subclasses supply

  /** A fresh appender of the same kind for a new empty chunk. */
  abstract A newAppender();

  /** Encodes one sample's values with the current layout; the time is written by {@link #writeTime}. */
  abstract void write(long t, H h);

  /** A new iterator over this kind of chunk. */
  abstract AbstractHistogramChunkIterator newIterator();

  /** The sample {@code it} is on, decoded into {@code reuse} (a new histogram when null). */
  abstract H decoded(SampleIterator it, H reuse);

  /**
   * Makes {@code into} {@code from} with the wider spans {@code positive}/{@code negative} and
   * empty buckets inserted where {@code positiveInserts}/{@code negativeInserts} say (either may be
   * null or empty), reusing {@code into}'s bucket arrays when they have the right length. {@code
   * from} is not changed and shares nothing with the result.
   */
  abstract H widened(H from, H into, Span[] positive, Span[] negative, List<SpanExpansion.Insert> positiveInserts,
      List<SpanExpansion.Insert> negativeInserts);

  abstract CounterResetHint hint(H h);

  abstract double sum(H h);

  abstract int schema(H h);

  abstract double zeroThreshold(H h);

  abstract double[] customValues(H h);

  abstract Span[] positiveSpans(H h);

  abstract Span[] negativeSpans(H h);

  abstract void setSpans(H h, Span[] positive, Span[] negative);

  /**
   * Inserts empty buckets into {@code h}'s buckets where {@code positive} / {@code negative}
   * (either may be null or empty: nothing to insert) say, growing them to the bucket count of
   * {@code h}'s spans, which are already the wider ones.
   */
  abstract void insertBuckets(H h, List<SpanExpansion.Insert> positive, List<SpanExpansion.Insert> negative);

  /** Whether the previous sample was a stale marker. */
  abstract boolean previousSumStale();

  /** Whether {@code h}'s count is below the previous sample's. */
  abstract boolean countDecreased(H h);

  /** Whether {@code h}'s zero count is below the previous sample's. */
  abstract boolean zeroCountDecreased(H h);

  /** With the layout unchanged: whether any bucket of {@code h} is below the previous sample's. */
  abstract boolean bucketsDecreased(H h);

  /**
   * With the layout changed: sets {@code v.positive} and {@code v.negative} to the expansions of
   * the chunk's spans to {@code h}'s; either is left null when a used bucket is missing or went down.
   */
  abstract void expand(Verdict v, H h);

  /**
   * The header a counter chunk gets when it is cut because the chunk so far is a gauge chunk:
   * NOT_COUNTER_RESET for integer histograms, UNKNOWN for float ones (as Prometheus's two
   * {@code appendable} functions answer).
   */
  abstract CounterResetHeader headerAfterGaugeChunk();

  /**
   * The header of a series' new chunk started after {@code prev}'s chunk, from {@code prev}'s
   * verdict: the verdict's header for integer histograms; COUNTER_RESET or NOT_COUNTER_RESET
   * for float ones, whose {@code appendable} only tells whether there was a reset.
   */
  abstract CounterResetHeader headerOfContinuation(CounterResetHeader verdict);

  // ---- shared behaviour

  /** Whether this appender's chunk replaced the previous chunk by re-encoding it (recoding). */
  public final boolean recoded() {
    return recoded;
  }

  public final int numSamples() {
    return chunk.numSamples();
  }

  /** The chunk this appender writes. */
  public final HistogramChunk chunk() {
    return chunk;
  }

  /** Re-encodes a stored (wrapped) chunk so that appends can continue it. */
  final A continueStored() {
    HistogramChunk c = chunk;
    if (!c.live()) {
      CounterResetHeader header = c.counterResetHeader();
      AbstractHistogramChunkIterator it = newIterator();
      byte[] old = c.bytes();
      it.reset(old, 0, old.length);
      c.resetWriter(header);
      H read = null;
      while (it.next() != ValueType.NONE) {
        read = decoded(it, read);
        write(it.atT(), read);
      }
    } else if (c.numSamples() > 0) {
      throw new IllegalStateException("a live histogram chunk has its appender already");
    }
    return self();
  }

  @SuppressWarnings("unchecked")
  private A self() {
    return (A) this;
  }

  /**
   * Appends {@code h} at {@code t} and returns the appender to use from now on (see {@link
   * HistogramAppender#append}).
   */
  final A appendSample(A prev, long t, H h) {
    if (chunk.numSamples() == 0) {
      write(t, h);
      CounterResetHint hint = hint(h);
      if (hint == CounterResetHint.GAUGE) {
        chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
      } else if (hint == CounterResetHint.COUNTER_RESET) {
        chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
      } else if (prev != null) {
        chunk.setCounterResetHeader(headerOfContinuation(prev.appendable(h).header));
      }
      return self();
    }
    if (hint(h) != CounterResetHint.GAUGE) {
      Verdict v = appendable(h);
      if (!v.ok || v.header != CounterResetHeader.NOT_COUNTER_RESET) {
        A next = newAppender();
        next.chunk.setCounterResetHeader(v.header);
        next.write(t, h);
        return next;
      }
      SpanExpansion.Result pos = v.positive;
      SpanExpansion.Result neg = v.negative;
      boolean forward = pos != null && !pos.forward.isEmpty() || neg != null && !neg.forward.isEmpty();
      boolean backward = pos != null && !pos.backward.isEmpty() || neg != null && !neg.backward.isEmpty();
      if (backward) {
        if (!forward) {
          setSpans(h, layout.positiveSpans.clone(), layout.negativeSpans.clone());
        } else {
          setSpans(h, SpanExpansion.adjustForInserts(positiveSpans(h), pos.backward),
              SpanExpansion.adjustForInserts(negativeSpans(h), neg.backward));
        }
        insertBuckets(h, pos == null ? null : pos.backward, neg == null ? null : neg.backward);
      }
      if (forward) {
        A next = recode(pos, neg, positiveSpans(h), negativeSpans(h));
        next.write(t, h);
        return next;
      }
      write(t, h);
      return self();
    }
    // Gauge histogram.
    if (!appendableGauge(h)) {
      A next = newAppender();
      next.chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
      next.write(t, h);
      return next;
    }
    if (StaleNaN.is(sum(h))) {
      write(t, h);
      return self();
    }
    SpanExpansion.Result pos = SpanExpansion.expandBothWays(layout.positiveSpans, positiveSpans(h));
    SpanExpansion.Result neg = SpanExpansion.expandBothWays(layout.negativeSpans, negativeSpans(h));
    if (!pos.backward.isEmpty() || !neg.backward.isEmpty()) {
      setSpans(h, pos.merged, neg.merged);
      insertBuckets(h, pos.backward, neg.backward);
    }
    if (!pos.forward.isEmpty() || !neg.forward.isEmpty()) {
      A next = recode(pos, neg, positiveSpans(h), negativeSpans(h));
      next.write(t, h);
      return next;
    }
    write(t, h);
    return self();
  }

  /** Outcome of the counter appendability check. */
  static final class Verdict {
    boolean ok;
    CounterResetHeader header = CounterResetHeader.NOT_COUNTER_RESET;
    SpanExpansion.Result positive;
    SpanExpansion.Result negative;

    private Verdict refuse(CounterResetHeader h) {
      ok = false;
      header = h;
      return this;
    }

    private Verdict accept() {
      ok = true;
      return this;
    }
  }

  /** Prometheus's {@code appendable}: whether {@code h} continues this counter chunk. */
  final Verdict appendable(H h) {
    Verdict r = verdict;
    r.ok = false;
    r.header = CounterResetHeader.NOT_COUNTER_RESET;
    r.positive = null;
    r.negative = null;
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() == CounterResetHeader.GAUGE) {
      return r.refuse(headerAfterGaugeChunk());
    }
    if (hint(h) == CounterResetHint.COUNTER_RESET) {
      return r.refuse(CounterResetHeader.COUNTER_RESET);
    }
    if (StaleNaN.is(sum(h))) {
      return r.accept();
    }
    if (previousSumStale()) {
      return r.refuse(CounterResetHeader.UNKNOWN);
    }
    if (countDecreased(h)) {
      return r.refuse(CounterResetHeader.COUNTER_RESET);
    }
    if (schema(h) != layout.schema || zeroThreshold(h) != layout.zeroThreshold) {
      return r.refuse(CounterResetHeader.UNKNOWN);
    }
    if (schema(h) == HistogramLayout.CUSTOM_BUCKETS_SCHEMA && !layout.sameCustomValues(customValues(h))) {
      return r.refuse(CounterResetHeader.COUNTER_RESET);
    }
    if (zeroCountDecreased(h)) {
      return r.refuse(CounterResetHeader.COUNTER_RESET);
    }
    if (SpanExpansion.sameSpans(layout.positiveSpans, positiveSpans(h))
        && SpanExpansion.sameSpans(layout.negativeSpans, negativeSpans(h))) {
      // Fast path of the span expansion: same layout, so only a bucket decrease matters.
      return bucketsDecreased(h) ? r.refuse(CounterResetHeader.COUNTER_RESET) : r.accept();
    }
    expand(r, h);
    if (r.positive == null || r.negative == null) {
      r.positive = null;
      r.negative = null;
      return r.refuse(CounterResetHeader.COUNTER_RESET);
    }
    return r.accept();
  }

  /** Prometheus's {@code appendableGauge} without the span expansion. */
  private boolean appendableGauge(H h) {
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() != CounterResetHeader.GAUGE) {
      return false;
    }
    if (StaleNaN.is(sum(h))) {
      return true;
    }
    if (previousSumStale()) {
      return false;
    }
    if (schema(h) != layout.schema || zeroThreshold(h) != layout.zeroThreshold) {
      return false;
    }
    return schema(h) != HistogramLayout.CUSTOM_BUCKETS_SCHEMA || layout.sameCustomValues(customValues(h));
  }

  /** Re-encodes this chunk with the wider layout; the returned appender continues it. */
  private A recode(SpanExpansion.Result pos, SpanExpansion.Result neg, Span[] posSpans, Span[] negSpans) {
    AbstractHistogramChunkIterator it = newIterator();
    it.reset(chunk.raw(), 0, chunk.length());
    A next = newAppender();
    next.recoded = true;
    // The wider layout adds a few bits per sample: room for the old chunk and a quarter.
    next.chunk.reserve(chunk.length() + (chunk.length() >>> 2));
    // One decoded and one widened sample, reused for every sample (write copies what it keeps).
    H read = null;
    H wide = null;
    while (it.next() != ValueType.NONE) {
      read = decoded(it, read);
      H sample = read;
      if (!StaleNaN.is(sum(read))) {
        wide = widened(read, wide, posSpans, negSpans, pos == null ? null : pos.forward,
            neg == null ? null : neg.forward);
        sample = wide;
      }
      next.write(it.atT(), sample);
    }
    next.chunk.setCounterResetHeader(chunk.counterResetHeader());
    return next;
  }

  /**
   * Starts the chunk's layout with the first sample's (an empty one for a stale marker) and writes
   * it; called by {@link #write} for the first sample.
   */
  final void startLayout(BitWriter w, boolean stale, H h) {
    layout =
        stale
            ? HistogramLayout.EMPTY
            : new HistogramLayout(
                schema(h),
                zeroThreshold(h),
                positiveSpans(h).clone(),
                negativeSpans(h).clone(),
                customValues(h) == null ? HistogramLayout.NO_VALUES : customValues(h).clone());
    layout.write(w);
  }

  /**
   * Writes the sample time: {@code varbit_int} t for the first sample, the delta-of-delta after;
   * called by {@link #write} once the layout (first sample) is written.
   */
  final void writeTime(BitWriter w, int num, long t) {
    long tD = num == 0 ? 0 : t - this.t;
    Varbit.putInt(w, num == 0 ? t : tD - tDelta);
    this.t = t;
    tDelta = tD;
  }
}
