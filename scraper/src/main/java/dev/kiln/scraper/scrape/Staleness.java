package dev.kiln.scraper.scrape;

import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;

/**
 * What staleness needs of one scrape loop: the series of its last successful scrape that take
 * part in staleness (samples without an explicit timestamp, or all with
 * {@code track_timestamps_staleness}), and the stale markers written for them. A series is
 * recognised as seen again by the generation stamp its scrape puts on it
 * ({@link ScrapeCache.Series#seenIn}), so no set is built per scrape.
 *
 * <p>Written by the scraping thread only; the array is replaced, never changed, so other threads
 * may read {@link #last()}.
 */
final class Staleness {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Staleness.class);
  static final ScrapeCache.Series[] NO_SERIES = new ScrapeCache.Series[0];

  private volatile ScrapeCache.Series[] last = NO_SERIES;

  /** The series of the last successful scrape; not to be changed. */
  ScrapeCache.Series[] last() {
    return last;
  }

  /**
   * Takes over another loop's last series (a reload): each is looked up in {@code cache} by its
   * labels, keeps its storage reference and counts as part of the last scrape.
   */
  void inherit(ScrapeCache.Series[] previous, ScrapeCache cache) {
    ScrapeCache.Series[] mine = new ScrapeCache.Series[previous.length];
    for (int i = 0; i < previous.length; i++) {
      ScrapeCache.Series s = cache.series(previous[i].labels);
      s.ref = previous[i].ref;
      s.inLast = true;
      mine[i] = s;
    }
    last = mine;
  }

  /**
   * Appends a stale marker at {@code t} for each series of the last scrape that the scrape of
   * {@code generation} did not see. A marker the storage rejects (out of order: the series came
   * back elsewhere) is skipped.
   *
   * @throws ScrapeLimitException when a scrape limit of {@code app} refuses a marker
   */
  void appendVanished(Appender app, long t, int generation) {
    for (ScrapeCache.Series p : last) {
      if (p.seenIn != generation) {
        appendMarker(app, p, t);
      }
    }
  }

  /** Appends a stale marker at {@code t} for every series of the last scrape. */
  void appendAll(Appender app, long t) {
    for (ScrapeCache.Series p : last) {
      appendMarker(app, p, t);
    }
  }

  private static void appendMarker(Appender app, ScrapeCache.Series p, long t) {
    try {
      app.append(p.ref, p.labels, t, StaleNaN.VALUE);
    } catch (AppendException ex) {
      LOG.debug("stale marker for {} rejected: {}", p.labels, ex.getMessage());
    }
  }

  /**
   * After a successful scrape's commit: the tracked ones of its {@code n} series become the last
   * scrape's.
   */
  void replace(ScrapeCache.Series[] series, int n) {
    int tracked = 0;
    for (int i = 0; i < n; i++) {
      if (series[i].tracked) {
        tracked++;
      }
    }
    for (ScrapeCache.Series p : last) {
      p.inLast = false;
    }
    ScrapeCache.Series[] next = tracked == 0 ? NO_SERIES : new ScrapeCache.Series[tracked];
    for (int i = 0, j = 0; i < n; i++) {
      ScrapeCache.Series s = series[i];
      if (s.tracked) {
        s.inLast = true;
        next[j++] = s;
      }
    }
    last = next;
  }

  /** After stale markers for every series of the last scrape were committed: none is left. */
  void clear() {
    for (ScrapeCache.Series p : last) {
      p.inLast = false;
    }
    last = NO_SERIES;
  }
}
