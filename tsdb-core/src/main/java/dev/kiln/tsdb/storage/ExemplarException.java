package dev.kiln.tsdb.storage;

/**
 * An exemplar the storage did not take. Callers log or count it and go on: as in Prometheus,
 * exemplar errors never fail a scrape or a remote write.
 */
public final class ExemplarException extends StorageException {
  /** Why; messages are Prometheus's. */
  public enum Reason {
    OUT_OF_ORDER("out of order exemplar"),
    LABEL_LENGTH("label length for exemplar exceeds maximum of " + Exemplar.MAX_LABEL_SET_RUNES + " UTF-8 characters"),
    UNKNOWN_SERIES("unknown HeadSeriesRef when trying to add exemplar");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  private final Reason reason;

  public ExemplarException(Reason reason) {
    super(reason.message());
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
