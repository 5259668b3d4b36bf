package dev.kiln.config.relabel;

import java.util.Locale;

/** The relabeling actions, spelled as in configuration files (case-insensitive there). */
public enum RelabelAction {
  REPLACE,
  KEEP,
  DROP,
  KEEPEQUAL,
  DROPEQUAL,
  HASHMOD,
  LABELMAP,
  LABELDROP,
  LABELKEEP,
  LOWERCASE,
  UPPERCASE;

  /** Parses a configuration spelling; null when unknown. */
  public static RelabelAction parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }
}
