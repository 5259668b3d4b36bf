package dev.kiln.tsdb.storage;

/** Something that can be read: the head, a block, a merge of both. Thread-safe. */
public interface Queryable {
  /** Opens a querier over [mintMillis, maxtMillis], both inclusive. */
  Querier querier(long mintMillis, long maxtMillis);
}
