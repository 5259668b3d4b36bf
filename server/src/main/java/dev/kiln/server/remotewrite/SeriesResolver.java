package dev.kiln.server.remotewrite;

/**
 * Resolves the decoded series of a request from their cache keys (their label fields in the
 * remote write 1.0 encoding): a series the {@link SeriesRefCache} knows gets its storage
 * reference, any other series gets its labels decoded and validated. The decoders record each
 * series' key as they meet it ({@link #key}) and resolve the whole request once it is decoded
 * ({@link #resolveAll}), so that the cache lookups of all its series run in one loop whose
 * memory reads overlap. Shared by the 1.0 and 2.0 decoders.
 */
final class SeriesResolver {
  private final SeriesRefCache cache;
  private final LabelFields labelFields = new LabelFields();
  /** Where {@link SeriesRefCache#prefetch}'s result goes, so that its reads are not optimized away. */
  private long prefetched;

  SeriesResolver(SeriesRefCache cache) {
    this.cache = cache;
  }

  /** Records the key {@code keyBuf[keyOff, keyOff+keyLen)} of series {@code i} of {@code out}. */
  void key(DecodedBatch out, int i, byte[] keyBuf, int keyOff, int keyLen) {
    out.key(i, keyBuf, keyOff, keyLen, SeriesRefCache.hash(keyBuf, keyOff, keyLen));
  }

  /**
   * Looks up every series of {@code out} that has a key: a known one gets its reference, any
   * other its labels, or, when they are invalid, the reason (and no key).
   */
  void resolveAll(DecodedBatch out) throws InvalidWriteException {
    prefetched = cache.prefetch(out.keyHash, out.keyBuffer, out.size);
    for (int i = 0; i < out.size; i++) {
      byte[] keyBuf = out.keyBuffer[i];
      if (keyBuf == null) {
        continue;
      }
      int keyOff = out.keyOffset[i];
      int keyLen = out.keyLength[i];
      long ref = cache.get(out.keyHash[i], keyBuf, keyOff, keyLen);
      if (ref == 0) {
        try {
          out.labels[i] = labelFields.decode(keyBuf, keyOff, keyLen);
        } catch (InvalidLabelsException e) {
          out.invalid[i] = e.getMessage();
          out.key(i, null, 0, 0, 0);
          continue;
        }
      }
      out.ref[i] = ref;
    }
  }
}
