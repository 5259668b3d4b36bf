package dev.kiln.tsdb.storage;

import java.util.List;

/** A {@link SeriesSet} over a list of series already in memory. */
public final class ListSeriesSet implements SeriesSet {
  private final List<? extends Series> series;
  private final List<String> warnings;
  private int pos = -1;

  public ListSeriesSet(List<? extends Series> series) {
    this(series, List.of());
  }

  public ListSeriesSet(List<? extends Series> series, List<String> warnings) {
    this.series = series;
    this.warnings = warnings;
  }

  @Override
  public boolean next() {
    if (pos < series.size()) {
      pos++;
    }
    return pos < series.size();
  }

  @Override
  public Series at() {
    return series.get(pos);
  }

  @Override
  public List<String> warnings() {
    return warnings;
  }
}
