package dev.kiln.tsdb.storage;

import java.util.List;

/**
 * A cursor over series. Call {@link #next()} before each {@link #at()}. Single-thread.
 * Failures are thrown as {@link StorageException} from {@code next()}.
 */
public interface SeriesSet {
  /** Advances to the next series; false when exhausted. */
  boolean next();

  /** The current series. */
  Series at();

  /** Non-fatal problems met while reading (for the API's "warnings"). */
  default List<String> warnings() {
    return List.of();
  }

  /** A set with no series. */
  SeriesSet EMPTY =
      new SeriesSet() {
        @Override
        public boolean next() {
          return false;
        }

        @Override
        public Series at() {
          throw new IllegalStateException("empty series set");
        }
      };
}
