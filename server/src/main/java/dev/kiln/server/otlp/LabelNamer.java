package dev.kiln.server.otlp;

/**
 * Turns OTLP attribute keys into Prometheus label names, as Prometheus 3's receiver does
 * ({@code otlptranslator.LabelNamer}): without UTF-8, every character outside {@code [a-zA-Z0-9_]}
 * becomes {@code _}, a leading digit gets {@code key_} and a single leading underscore {@code key};
 * names starting with {@code __} are kept. With UTF-8 the key is used as it is. Stateless.
 */
final class LabelNamer {
  private final boolean utf8Allowed;

  LabelNamer(boolean utf8Allowed) {
    this.utf8Allowed = utf8Allowed;
  }

  /** The label name for an attribute key; the empty key stays empty (and is rejected later). */
  String build(String key) {
    if (key.isEmpty() || utf8Allowed) {
      return key;
    }
    if (alreadyValid(key)) {
      return key;
    }
    StringBuilder sb = new StringBuilder(key.length() + 4);
    key.codePoints().forEach(c -> {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      sb.append(ok ? (char) c : '_');
    });
    String name = sb.toString();
    char first = name.charAt(0);
    if (first >= '0' && first <= '9') {
      return "key_" + name;
    }
    if (name.startsWith("_") && !name.startsWith("__")) {
      return "key" + name;
    }
    return name;
  }

  /** True when escaping would change nothing: {@code [a-zA-Z][a-zA-Z0-9_]*} or {@code __[a-zA-Z0-9_]*}. */
  private static boolean alreadyValid(String key) {
    char first = key.charAt(0);
    if (first == '_' ? !key.startsWith("__") : !((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
      return false;
    }
    for (int i = 1; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
