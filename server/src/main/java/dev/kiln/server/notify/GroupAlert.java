package dev.kiln.server.notify;

import dev.kiln.tsdb.model.Labels;

/** An alert inside a notification group. Times in epoch milliseconds; {@code endsAt} 0 while firing. */
record GroupAlert(Labels labels, Labels annotations, long startsAt, long endsAt, String generatorURL, boolean resolved) {
  /** Alertmanager's fingerprint: FNV-1a 64 over sorted name, 0xFF, value, 0xFF, as 16 hex digits. */
  String fingerprint() {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < labels.size(); i++) {
      for (byte b : labels.name(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        h ^= (b & 0xff);
        h *= 0x100000001b3L;
      }
      h ^= 0xff;
      h *= 0x100000001b3L;
      for (byte b : labels.value(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        h ^= (b & 0xff);
        h *= 0x100000001b3L;
      }
      h ^= 0xff;
      h *= 0x100000001b3L;
    }
    return String.format("%016x", h);
  }
}
