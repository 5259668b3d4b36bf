package dev.kiln.tsdb.block;

import dev.kiln.tsdb.storage.StorageException;
import java.nio.file.Path;

/** A block file failed a magic, version, bounds or checksum check. Names the file and offset. */
public final class BlockCorruptException extends StorageException {
  private final Path file;
  private final long offset;

  public BlockCorruptException(Path file, long offset, String what) {
    super("corrupt block file " + file + " at offset " + offset + ": " + what);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
