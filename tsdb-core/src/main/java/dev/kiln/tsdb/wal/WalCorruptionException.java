package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.storage.StorageException;
import java.nio.file.Path;

/** A write-ahead log segment holds bytes that are not a valid record: carries file and offset. */
public final class WalCorruptionException extends StorageException {
  private final Path segment;
  private final int segmentIndex;
  private final long offset;

  public WalCorruptionException(Path segment, int segmentIndex, long offset, String what) {
    super("corrupt write-ahead log " + segment + " at offset " + offset + ": " + what);
    this.segment = segment;
    this.segmentIndex = segmentIndex;
    this.offset = offset;
  }

  public Path segment() {
    return segment;
  }

  public int segmentIndex() {
    return segmentIndex;
  }

  /** Offset of the first byte of the record that could not be read. */
  public long offset() {
    return offset;
  }
}
