package dev.kiln.promql.engine;

/** Label name validity as Prometheus 3 checks it (any non-empty valid UTF-8 string). */
final class LabelNames {
  private LabelNames() {}

  static boolean isValid(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < name.length()
            && Character.isLowSurrogate(name.charAt(i + 1))) {
          i++;
          continue;
        }
        return false;
      }
      if (c == '\uFFFD') {
        // Produced when decoding invalid UTF-8 bytes.
        return false;
      }
    }
    return true;
  }
}
