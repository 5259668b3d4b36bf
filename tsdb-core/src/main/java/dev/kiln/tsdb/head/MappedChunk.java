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
 * The checksum is verified when the data is first read. Immutable once written; thread-safe.
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
    int p = offset + 25;
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 28) {
        throw corrupt("bad length");
      }
      int c = buf.get(p++) & 0xff;
      len |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        break;
      }
    }
    if (len < 2 || p + len + 4 > buf.capacity()) {
      throw corrupt("bad length " + len);
    }
    d = new byte[(int) len];
    buf.get(p, d);
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(offset, p + (int) len - offset));
    if (buf.getInt(p + (int) len) != (int) crc.getValue()) {
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
    byte[] d = data();
    if (reuse instanceof XorIterator it) {
      it.reset(d, 0, d.length);
      return it;
    }
    return new XorIterator(d, 0, d.length);
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
