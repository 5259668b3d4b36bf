package dev.kiln.server.remotewrite;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What one request needs while it is received, reused by the next: the decompression buffers,
 * the decoders, the decoded batch and the key scratch. Taken from and given back to a {@link
 * Pool} by the handler, so no request allocates them anew and idle connections hold none.
 */
final class ReceiveState {
  final BodyDecompressor decompressor;
  final V1Decoder v1;
  final V2Decoder v2;
  final DecodedBatch batch = new DecodedBatch();
  final KeyScratch keys = new KeyScratch();

  ReceiveState(SeriesRefCache cache, int maxDecodedBytes) {
    decompressor = new BodyDecompressor(maxDecodedBytes);
    v1 = new V1Decoder(cache);
    v2 = new V2Decoder(cache);
  }

  /** A small lock-free pool: at most {@code capacity} idle states are kept. Thread-safe. */
  static final class Pool {
    private final AtomicReferenceArray<ReceiveState> idle;
    private final SeriesRefCache cache;
    private final int maxDecodedBytes;

    Pool(int capacity, SeriesRefCache cache, int maxDecodedBytes) {
      idle = new AtomicReferenceArray<>(capacity);
      this.cache = cache;
      this.maxDecodedBytes = maxDecodedBytes;
    }

    ReceiveState take() {
      for (int i = 0; i < idle.length(); i++) {
        ReceiveState s = idle.get(i);
        if (s != null && idle.compareAndSet(i, s, null)) {
          return s;
        }
      }
      return new ReceiveState(cache, maxDecodedBytes);
    }

    void give(ReceiveState s) {
      s.batch.clear();
      s.decompressor.trim();
      s.keys.trim();
      for (int i = 0; i < idle.length(); i++) {
        if (idle.get(i) == null && idle.compareAndSet(i, null, s)) {
          return;
        }
      }
    }
  }
}
