package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.ChunkAppender;
import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.XorIterator;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A completed chunk inside a memory-mapped head chunk file (layout in {@link MmapChunkStore}).
 * Holds the mapping itself, so it stays readable after its file was deleted by truncation.
 * The checksum is verified whenever data is copied out of the mapping: by each XOR iteration,
 * which copies the chunk into the iterator's own buffer, and once for the other uses, which keep
 * their copy. Immutable once written; thread-safe.
 */
final class MappedChunk implements Chunk {
  private final ByteBuffer buf;
  private final int offset;
  private final Path file;
  private volatile byte[] data;

  MappedChunk(ByteBuffer buf, int offset, Path file) {
    this.buf = buf;
    this.offset = offset;
    this.file = file;
  }

  private byte[] data() {
    byte[] d = data;
    if (d != null) {
      return d;
    }
    int p = dataStart();
    int len = dataLength(p);
    d = new byte[len];
    buf.get(p, d);
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(offset, p + len - offset));
    if (buf.getInt(p + len) != (int) crc.getValue()) {
      throw corrupt("checksum mismatch");
    }
    data = d;
    return d;
  }

  private StorageException corrupt(String what) {
    return new StorageException("corrupt head chunk in " + file + " at offset " + offset + ": " + what);
  }

  @Override
  public ChunkEncoding encoding() {
    return ChunkEncoding.fromCode(buf.get(offset + 24));
  }

  @Override
  public byte[] bytes() {
    return data().clone();
  }

  @Override
  public int length() {
    return data().length;
  }

  @Override
  public int numSamples() {
    byte[] d = data();
    return ((d[0] & 0xff) << 8) | (d[1] & 0xff);
  }

  @Override
  public SampleIterator iterator(SampleIterator reuse) {
    ChunkEncoding enc = encoding();
    if (enc == ChunkEncoding.HISTOGRAM || enc == ChunkEncoding.FLOAT_HISTOGRAM) {
      return dev.kiln.tsdb.chunk.HistogramChunk.fromBytes(enc, data()).iterator(reuse);
    }
    if (enc != ChunkEncoding.XOR) {
      throw new StorageException("unsupported head chunk encoding " + enc + " in " + file);
    }
    XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
    byte[] d = data;
    if (d != null) {
      it.reset(d, 0, d.length);
      return it;
    }
    // Copied into the iterator's own buffer and checked there: nothing is allocated per chunk.
    int p = dataStart();
    int len = dataLength(p);
    int record = p + len - offset;
    byte[] b = it.ownBuffer(record);
    buf.get(offset, b, 0, record);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, record);
    if (buf.getInt(p + len) != (int) crc.getValue()) {
      throw corrupt("checksum mismatch");
    }
    it.reset(b, p - offset, len);
    return it;
  }

  /** Position of the data length (a uvarint) in the mapping. */
  private int dataStart() {
    return offset + 25 + varintSize();
  }

  private int varintSize() {
    int p = offset + 25;
    for (int i = 1; i <= 5; i++) {
      if ((buf.get(p++) & 0x80) == 0) {
        return i;
      }
    }
    throw corrupt("bad length");
  }

  /** The data length, checked against the mapping; {@code p} is where the data starts. */
  private int dataLength(int p) {
    long len = 0;
    int q = offset + 25;
    for (int shift = 0; q < p; shift += 7) {
      len |= (long) (buf.get(q++) & 0x7f) << shift;
    }
    if (len < 2 || p + len + 4 > buf.capacity()) {
      throw corrupt("bad length " + len);
    }
    return (int) len;
  }

  @Override
  public ChunkAppender appender() {
    throw new UnsupportedOperationException("completed head chunks are read-only");
  }

  @Override
  public Chunk snapshot() {
    return this;
  }
}
