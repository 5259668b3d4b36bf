package dev.kiln.server.remotewrite;

/**
 * Resolves a decoded series from its cache key (its label fields in the remote write 1.0
 * encoding): a series the {@link SeriesRefCache} knows gets its storage reference, any other
 * series gets its labels decoded and validated. Shared by the 1.0 and 2.0 decoders.
 */
final class SeriesResolver {
  private final SeriesRefCache cache;
  private final LabelFields labelFields = new LabelFields();

  SeriesResolver(SeriesRefCache cache) {
    this.cache = cache;
  }

  /** Records series {@code i} of {@code out} under the key {@code keyBuf[keyOff, keyOff+keyLen)}. */
  void resolve(DecodedBatch out, int i, byte[] keyBuf, int keyOff, int keyLen) throws InvalidWriteException {
    long hash = SeriesRefCache.hash(keyBuf, keyOff, keyLen);
    long ref = cache.get(hash, keyBuf, keyOff, keyLen);
    if (ref == 0) {
      try {
        out.labels[i] = labelFields.decode(keyBuf, keyOff, keyLen);
      } catch (InvalidLabelsException e) {
        out.invalid[i] = e.getMessage();
        return;
      }
    }
    out.ref[i] = ref;
    out.key(i, keyBuf, keyOff, keyLen, hash);
  }
}
