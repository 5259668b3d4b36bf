package dev.kiln.scraper.scrape;

import static dev.kiln.scraper.parse.ExpositionSink.NO_TIMESTAMP;

import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.scraper.parse.ProtobufSink;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One scrape's samples, filled by the parser and then appended: one sample per distinct series,
 * in exposition order (later duplicates of a series are counted, as Prometheus counts them, and
 * dropped, as its head drops them at commit). The parser's series texts are resolved through the
 * loop's {@link ScrapeCache}; only a text it does not know is labeled and relabeled.
 *
 * <p>Reused from scrape to scrape, so a scrape of a page whose series are all cached allocates
 * nothing per sample. Owned by the scraping thread.
 */
final class ScrapeBatch implements ProtobufSink {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeBatch.class);

  private final ScrapeCache cache;
  private final SeriesLabeler labeler;
  private final boolean honorTimestamps;
  private final boolean trackTimestampsStaleness;
  private final boolean createdTimestampZero;
  /** The created timestamp of the metric being parsed (0 when none). */
  private long created;
  /** Created timestamps by slot (0 when none); allocated on the first one. */
  private long[] createdTs;
  /** Whether this scrape reads OpenMetrics {@code _created} lines as created timestamps. */
  private boolean openMetricsCreated;
  /** The family being read (OpenMetrics created timestamps) and its type. */
  private String family;
  private MetricType familyType;
  /** Slots of the family read since its last {@code _created} line, waiting for theirs. */
  private int[] awaitingCreated = new int[16];
  private int awaiting;

  private int generation;
  private long defaultTs;
  private int scraped;
  private int n;
  /** Samples of series already in this scrape: appended by Prometheus too, dropped at its commit. */
  private int duplicates;
  /** Of those, samples whose series text was new to the cache. */
  private int newTextDuplicates;
  /** Whether the series text of the line being read was new to the cache. */
  private boolean textIsNew;
  private boolean[] newText = new boolean[256];
  /** Distinct series texts seen by this scrape. */
  private int seenEntries;
  private ScrapeCache.Series[] series = new ScrapeCache.Series[256];
  private long[] ts = new long[256];
  private double[] values = new double[256];
  private long[] refs = new long[256];
  private Map<String, Metadata> meta;
  /** Native-histogram samples by slot (null for float samples); allocated on the first one. */
  private Histogram[] histograms;
  private FloatHistogram[] floatHistograms;
  private boolean anyHistogram;
  /** The entry of the previous sample line. */
  private int previous = ScrapeCache.NONE;
  /** The slot of the sample handed over last, or -1 when it was not kept. */
  private int lastSlot = -1;
  /** Exemplars of this scrape in slot order: their slots and exemplars (timestamp NO_TIMESTAMP when none). */
  private int exemplarCount;
  private int[] exemplarSlots = new int[0];
  private dev.kiln.tsdb.storage.Exemplar[] exemplars = new dev.kiln.tsdb.storage.Exemplar[0];

  ScrapeBatch(ScrapeCache cache, SeriesLabeler labeler, boolean honorTimestamps, boolean trackTimestampsStaleness,
      boolean createdTimestampZero) {
    this.createdTimestampZero = createdTimestampZero;
    this.cache = cache;
    this.labeler = labeler;
    this.honorTimestamps = honorTimestamps;
    this.trackTimestampsStaleness = trackTimestampsStaleness;
  }

  /** Starts the batch of the scrape numbered {@code generation}, whose samples default to {@code defaultTs}. */
  void reset(int generation, long defaultTs) {
    reset(generation, defaultTs, false);
  }

  /**
   * As {@link #reset(int, long)}; {@code openMetrics} says the page is OpenMetrics, whose
   * {@code _created} lines give created timestamps when created-timestamp zero ingestion is on.
   */
  void reset(int generation, long defaultTs, boolean openMetrics) {
    previous = ScrapeCache.NONE;
    created = 0;
    openMetricsCreated = openMetrics && createdTimestampZero;
    family = null;
    familyType = null;
    awaiting = 0;
    this.generation = generation;
    this.defaultTs = defaultTs;
    scraped = 0;
    n = 0;
    duplicates = 0;
    newTextDuplicates = 0;
    seenEntries = 0;
    meta = new HashMap<>();
  }

  /** Drops the references to this scrape's series and histograms. */
  void clear() {
    Arrays.fill(series, 0, n, null);
    if (anyHistogram) {
      Arrays.fill(histograms, 0, Math.min(n, histograms.length), null);
      Arrays.fill(floatHistograms, 0, Math.min(n, floatHistograms.length), null);
      anyHistogram = false;
    }
    if (createdTs != null) {
      Arrays.fill(createdTs, 0, Math.min(n, createdTs.length), 0);
    }
    Arrays.fill(exemplars, 0, exemplarCount, null);
    exemplarCount = 0;
    n = 0;
    previous = ScrapeCache.NONE;
  }

  int generation() {
    return generation;
  }

  /** Samples on the page. */
  int scraped() {
    return scraped;
  }

  /** Distinct series of the scrape. */
  int size() {
    return n;
  }

  /** Distinct series texts seen by the scrape. */
  int seenEntries() {
    return seenEntries;
  }

  Map<String, Metadata> metadata() {
    return meta;
  }

  @Override
  public int cached(byte[] buf, int start, int end) {
    // Pages list their series in the same order each time: try the text that came next last time.
    int guess = previous == ScrapeCache.NONE ? cache.first() : cache.next(previous);
    int e = guess != ScrapeCache.NONE && cache.matches(guess, buf, start, end) ? guess : cache.get(buf, start, end);
    if (e != ScrapeCache.NONE) {
      seen(e);
      textIsNew = false;
    }
    return e;
  }

  @Override
  public int newSeries(byte[] buf, int start, int end, ParsedSeries parsed) {
    Labels labels = labeler.finalLabels(parsed.labels());
    ScrapeCache.Series s = labels == null ? null : cache.series(labels);
    if (s == null && createdTimestampZero && parsed.metricName() != null && parsed.metricName().endsWith("_created")) {
      // Prometheus reads a created timestamp from the parser, before metric relabeling sees the line.
      s = new ScrapeCache.Series(labeler.merged(parsed.labels()), true);
    }
    int e = cache.put(buf, start, end, s);
    seen(e);
    textIsNew = true;
    return e;
  }

  /** Stamps the entry and links it after the previous line's. */
  private void seen(int e) {
    if (cache.seen(e) != generation) {
      cache.setSeen(e, generation);
      seenEntries++;
    }
    if (previous == ScrapeCache.NONE) {
      cache.setFirst(e);
    } else if (cache.next(previous) != e) {
      cache.setNext(previous, e);
    }
    previous = e;
  }

  /** Ends the chain of this page's texts. */
  void parsed() {
    if (previous != ScrapeCache.NONE) {
      cache.setNext(previous, ScrapeCache.NONE);
    } else {
      cache.setFirst(ScrapeCache.NONE);
    }
  }

  @Override
  public void histogram(int entry, Histogram h, FloatHistogram fh, long t) {
    int before = n;
    sample(entry, 0, t);
    if (n == before) {
      return;
    }
    if (histograms == null || histograms.length < ts.length) {
      histograms = histograms == null ? new Histogram[ts.length] : Arrays.copyOf(histograms, ts.length);
      floatHistograms = floatHistograms == null ? new FloatHistogram[ts.length] : Arrays.copyOf(floatHistograms, ts.length);
    }
    histograms[before] = h;
    floatHistograms[before] = fh;
    anyHistogram = true;
  }

  @Override
  public void sample(int entry, double value, long t) {
    lastSlot = -1;
    ScrapeCache.Series s = cache.series(entry);
    if (openMetricsCreated && s != null && takesCreated(familyType) && s.labels.metricName().equals(family + "_created")) {
      createdLine(s.labels, value);
      return;
    }
    scraped++;
    if (s == null || s.createdOnly) {
      return;
    }
    if (s.seenIn == generation) {
      duplicates++;
      if (textIsNew) {
        newTextDuplicates++;
      }
      return;
    }
    s.seenIn = generation;
    boolean explicit = t != NO_TIMESTAMP && honorTimestamps;
    s.tracked = !explicit || trackTimestampsStaleness;
    int i = n;
    if (i == ts.length) {
      int cap = i * 2;
      series = Arrays.copyOf(series, cap);
      ts = Arrays.copyOf(ts, cap);
      values = Arrays.copyOf(values, cap);
      refs = Arrays.copyOf(refs, cap);
      newText = Arrays.copyOf(newText, cap);
    }
    newText[i] = textIsNew;
    if (created != 0 && createdTimestampZero) {
      if (createdTs == null || createdTs.length < ts.length) {
        createdTs = createdTs == null ? new long[ts.length] : Arrays.copyOf(createdTs, ts.length);
      }
      createdTs[i] = created;
    }
    series[i] = s;
    ts[i] = explicit ? t : defaultTs;
    values[i] = value;
    n = i + 1;
    lastSlot = i;
    if (openMetricsCreated && takesCreated(familyType)) {
      if (awaiting == awaitingCreated.length) {
        awaitingCreated = Arrays.copyOf(awaitingCreated, awaiting * 2);
      }
      awaitingCreated[awaiting++] = i;
    }
  }

  /** Counters, summaries and histograms have created timestamps, as Prometheus's {@code typeRequiresCT}. */
  private static boolean takesCreated(MetricType t) {
    return t == MetricType.COUNTER || t == MetricType.SUMMARY || t == MetricType.HISTOGRAM;
  }

  /**
   * An OpenMetrics {@code <family>_created} line, which Prometheus's OpenMetrics parser does not
   * pass on as a sample when it reads created timestamps: its value (seconds) is the created
   * timestamp of each sample read since the family's previous {@code _created} line that has the
   * same labels (bar {@code le} of histograms and {@code quantile} of summaries). A sample whose
   * next {@code _created} line belongs to another series has none, as Prometheus's
   * {@code CreatedTimestamp} stops its look-ahead at the first {@code _created} line.
   */
  private void createdLine(Labels createdLabels, double seconds) {
    long ct = (long) (seconds * 1000.0);
    for (int k = 0; k < awaiting; k++) {
      int slot = awaitingCreated[k];
      if (ct != 0 && sameSeries(series[slot].labels, createdLabels)) {
        if (createdTs == null || createdTs.length < ts.length) {
          createdTs = createdTs == null ? new long[ts.length] : Arrays.copyOf(createdTs, ts.length);
        }
        createdTs[slot] = ct;
      }
    }
    awaiting = 0;
  }

  /** Whether two series have the same labels apart from the name and the family's bucket or quantile label. */
  private boolean sameSeries(Labels sample, Labels createdLine) {
    String skip = familyType == MetricType.HISTOGRAM ? "le" : familyType == MetricType.SUMMARY ? "quantile" : null;
    int i = 0;
    int j = 0;
    while (true) {
      while (i < sample.size() && (sample.name(i).equals("__name__") || sample.name(i).equals(skip))) {
        i++;
      }
      while (j < createdLine.size() && createdLine.name(j).equals("__name__")) {
        j++;
      }
      if (i == sample.size() || j == createdLine.size()) {
        return i == sample.size() && j == createdLine.size();
      }
      if (!sample.name(i).equals(createdLine.name(j)) || !sample.value(i).equals(createdLine.value(j))) {
        return false;
      }
      i++;
      j++;
    }
  }

  @Override
  public void exemplar(Labels labels, double value, long t) {
    if (lastSlot < 0) {
      return; // its sample was dropped by relabeling or repeated a series of the page
    }
    if (exemplarCount == exemplars.length) {
      int cap = Math.max(16, exemplarCount * 2);
      exemplars = Arrays.copyOf(exemplars, cap);
      exemplarSlots = Arrays.copyOf(exemplarSlots, cap);
    }
    exemplarSlots[exemplarCount] = lastSlot;
    exemplars[exemplarCount++] = new dev.kiln.tsdb.storage.Exemplar(labels, value, t, t != NO_TIMESTAMP);
  }

  /**
   * Appends the exemplars of slot {@code i} (from {@code next}, the first not yet appended), as
   * Prometheus's scrape loop: one without a timestamp takes the sample's, except on a native
   * histogram, where it is dropped; they are sorted by timestamp, value and labels; a rejected one
   * is skipped without failing the scrape (an out-of-order one counted in {@code counts}). Returns
   * the next exemplar index.
   */
  private int appendExemplars(Appender app, int i, boolean histogram, int next, ScrapeCounts counts) {
    int end = next;
    while (end < exemplarCount && exemplarSlots[end] == i) {
      end++;
    }
    if (end == next) {
      return next;
    }
    java.util.List<dev.kiln.tsdb.storage.Exemplar> list = new java.util.ArrayList<>(end - next);
    for (int k = next; k < end; k++) {
      dev.kiln.tsdb.storage.Exemplar e = exemplars[k];
      if (!e.hasTimestamp()) {
        if (histogram) {
          continue;
        }
        e = e.at(ts[i]);
      }
      list.add(e);
    }
    list.sort(dev.kiln.tsdb.storage.Exemplar::compare);
    for (dev.kiln.tsdb.storage.Exemplar e : list) {
      try {
        app.appendExemplar(refs[i] != 0 ? refs[i] : series[i].ref, series[i].labels, e);
      } catch (dev.kiln.tsdb.storage.ExemplarException ex) {
        if (ex.reason() == dev.kiln.tsdb.storage.ExemplarException.Reason.OUT_OF_ORDER) {
          counts.exemplarOutOfOrder++;
        }
        LOG.debug("exemplar {} of {} not stored: {}", e, series[i].labels, ex.getMessage());
      } catch (AppendException ex) {
        LOG.debug("exemplar {} of {} not stored: {}", e, series[i].labels, ex.getMessage());
      }
    }
    return end;
  }

  @Override
  public void retime(long t) {
    if (lastSlot >= 0 && honorTimestamps) {
      ts[lastSlot] = t;
      series[lastSlot].tracked = trackTimestampsStaleness;
    }
  }

  @Override
  public void created(long createdMillis) {
    created = createdMillis;
  }

  @Override
  public void metadata(String family, MetricType type, String help, String unit) {
    meta.put(family, new Metadata(type, help, unit));
    if (!family.equals(this.family)) {
      awaiting = 0; // A created timestamp is looked for within the family only.
    }
    this.family = family;
    this.familyType = type;
  }

  /**
   * Appends the batch to {@code app} (the scrape's appender with its limits) and fills
   * {@code counts}. As Prometheus: a sample the storage rejects for its time or order is skipped;
   * a label limit breach or an invalid native histogram fails the scrape at once; a sample or
   * bucket limit breach lets the rest of the batch be appended and counted and then fails the
   * scrape ({@link ScrapeFailure#keepsCounts()}; the sample limit's message first).
   *
   * <p>With created-timestamp zero ingestion, a sample whose created timestamp is before its own
   * is preceded by a zero (a zero histogram of the same schema, zero threshold and custom bounds,
   * hinted as a counter reset) at the created timestamp, appended to {@code unlimited} as
   * Prometheus's {@code AppendCTZeroSample} bypasses the scrape limits; the storage's rejections
   * of it (out of order, duplicate) are ignored.
   *
   * @throws ScrapeFailure when the scrape must fail; its samples are then to be rolled back
   */
  void appendTo(Appender app, Appender unlimited, ScrapeCounts counts) {
    int seriesAdded = 0;
    boolean sampleLimitHit = false;
    boolean bucketLimitHit = false;
    int nextExemplar = 0;
    for (int i = 0; i < n; i++) {
      ScrapeCache.Series s = series[i];
      boolean histogram = anyHistogram && i < histograms.length && (histograms[i] != null || floatHistograms[i] != null);
      long ref = s.ref;
      if (createdTs != null && i < createdTs.length && createdTs[i] != 0 && createdTs[i] < ts[i]) {
        ref = appendCreatedZero(unlimited, s, createdTs[i], histogram ? histograms[i] : null, histogram ? floatHistograms[i] : null);
      }
      try {
        if (histogram) {
          refs[i] = app.appendHistogram(ref, s.labels, ts[i], histograms[i], floatHistograms[i], AppendOptions.NONE);
        } else {
          refs[i] = app.append(ref, s.labels, ts[i], values[i]);
        }
        if (newText[i] && !sampleLimitHit && !bucketLimitHit) {
          seriesAdded++;
        }
      } catch (ScrapeLimitException e) {
        refs[i] = 0;
        switch (e.limit()) {
          case SAMPLE -> sampleLimitHit = true;
          case BUCKET -> bucketLimitHit = true;
          case LABEL -> throw new ScrapeFailure(e.getMessage());
        }
      } catch (AppendException ex) {
        refs[i] = 0;
        // As Prometheus's checkAddError: out-of-order, duplicate, out-of-bounds and too-old samples
        // are skipped; an invalid or unsupported native histogram fails the scrape.
        boolean fatal = ex.reason() == AppendException.Reason.INVALID_HISTOGRAM
            || ex.reason() == AppendException.Reason.UNSUPPORTED;
        if (histogram && fatal) {
          throw new ScrapeFailure(ex.getMessage());
        }
        switch (ex.reason()) {
          case OUT_OF_ORDER -> counts.sampleOutOfOrder++;
          case DUPLICATE_SAMPLE -> counts.sampleDuplicate++;
          case OUT_OF_BOUNDS -> counts.sampleOutOfBounds++;
          default -> { }
        }
        LOG.debug("sample of {} rejected: {}", s.labels, ex.getMessage());
      }
      // As Prometheus: a sample's exemplars are appended also when the sample itself was rejected.
      while (nextExemplar < exemplarCount && exemplarSlots[nextExemplar] < i) {
        nextExemplar++;
      }
      if (nextExemplar < exemplarCount) {
        nextExemplar = appendExemplars(app, i, histogram, nextExemplar, counts);
      }
    }
    // As Prometheus: every sample left after relabeling counts, rejected or not, in-page
    // duplicates too (its head drops them at commit).
    counts.scraped = scraped;
    counts.postRelabel = n + duplicates;
    counts.added = seriesAdded + newTextDuplicates;
    if (sampleLimitHit) {
      throw new ScrapeFailure(ScrapeLimitException.SAMPLE_LIMIT.getMessage(), true);
    }
    if (bucketLimitHit) {
      throw new ScrapeFailure(ScrapeLimitException.BUCKET_LIMIT.getMessage(), true);
    }
  }

  /** Appends the created-timestamp zero of {@code s}; returns the series reference to append its sample with. */
  private static long appendCreatedZero(Appender app, ScrapeCache.Series s, long ct, Histogram h, FloatHistogram fh) {
    try {
      long ref;
      if (h != null) {
        Histogram zero = new Histogram();
        zero.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.COUNTER_RESET;
        zero.schema = h.schema;
        zero.zeroThreshold = h.zeroThreshold;
        zero.customValues = h.customValues;
        ref = app.appendHistogram(s.ref, s.labels, ct, zero, null, AppendOptions.NONE);
      } else if (fh != null) {
        FloatHistogram zero = new FloatHistogram();
        zero.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.COUNTER_RESET;
        zero.schema = fh.schema;
        zero.zeroThreshold = fh.zeroThreshold;
        zero.customValues = fh.customValues;
        ref = app.appendHistogram(s.ref, s.labels, ct, null, zero, AppendOptions.NONE);
      } else {
        ref = app.append(s.ref, s.labels, ct, 0.0);
      }
      return ref != 0 ? ref : s.ref;
    } catch (AppendException e) {
      LOG.debug("created-timestamp zero sample of {} at {} rejected: {}", s.labels, ct, e.getMessage());
      return s.ref;
    }
  }

  /**
   * After the batch was committed: each series keeps the storage reference its append returned.
   * Returns the batch's series (the first {@link #size()} are this scrape's).
   */
  ScrapeCache.Series[] committed() {
    for (int i = 0; i < n; i++) {
      if (refs[i] != 0) {
        series[i].ref = refs[i];
      }
    }
    return series;
  }
}
