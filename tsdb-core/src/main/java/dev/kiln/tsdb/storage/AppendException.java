package dev.kiln.tsdb.storage;

/**
 * A sample rejected by the storage because of what it is, not because of a fault: the caller sent
 * bad data and retrying will not help (remote_write answers 400).
 */
public final class AppendException extends StorageException {
  /** Why a sample was rejected; messages match Prometheus's. */
  public enum Reason {
    OUT_OF_ORDER("out of order sample"),
    DUPLICATE_SAMPLE("duplicate sample for timestamp"),
    OUT_OF_BOUNDS("out of bounds"),
    TOO_OLD("too old sample"),
    INVALID_LABELS("invalid labels"),
    /** The sample is a native histogram that is invalid (Prometheus's validation text follows). */
    INVALID_HISTOGRAM("invalid histogram"),
    /** The storage does not accept this kind of sample. */
    UNSUPPORTED("unsupported sample type");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  private final Reason reason;

  public AppendException(Reason reason, String detail) {
    super(detail == null || detail.isEmpty() ? reason.message() : reason.message() + ": " + detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
