package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.Chunks;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link ChunkStore} on the Java heap, for tests and for running without a data directory. */
public final class HeapChunkStore implements ChunkStore {
  private record Stored(long maxT, byte encoding, byte[] data) {}

  private final Map<Long, Stored> chunks = new ConcurrentHashMap<>();
  private final AtomicLong nextRef = new AtomicLong(1);
  private final AtomicLong bytes = new AtomicLong();

  @Override
  public long write(long seriesRef, long minT, long maxT, Chunk chunk) {
    long ref = nextRef.getAndIncrement();
    byte[] data = chunk.bytes();
    chunks.put(ref, new Stored(maxT, chunk.encoding().code(), data));
    bytes.addAndGet(data.length + 64);
    return ref;
  }

  @Override
  public Chunk read(long ref) {
    Stored s = chunks.get(ref);
    if (s == null) {
      throw new IllegalArgumentException("unknown head chunk ref " + ref);
    }
    return Chunks.fromBytes(ChunkEncoding.fromCode(s.encoding()), s.data());
  }

  @Override
  public void truncateBefore(long mint) {
    for (Iterator<Map.Entry<Long, Stored>> it = chunks.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Stored> e = it.next();
      if (e.getValue().maxT() < mint) {
        bytes.addAndGet(-(e.getValue().data().length + 64));
        it.remove();
      }
    }
  }

  @Override
  public long heapBytes() {
    return bytes.get();
  }

  @Override
  public void close() {
    chunks.clear();
  }
}
