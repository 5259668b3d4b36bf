package dev.kiln.config.relabel;

import com.google.re2j.Matcher;
import dev.kiln.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/** Applies relabel steps to a label set, with Prometheus's semantics. Stateless and thread-safe. */
public final class Relabeler {
  private Relabeler() {}

  /**
   * Runs the steps in order.
   *
   * @return the resulting labels, or {@code null} when a keep/drop step dropped them
   */
  public static Labels process(Labels labels, List<RelabelConfig> steps) {
    if (steps.isEmpty()) {
      return labels;
    }
    Labels.Builder b = labels.toBuilder();
    for (RelabelConfig step : steps) {
      if (!apply(b, step)) {
        return null;
      }
    }
    return b.build();
  }

  private static boolean apply(Labels.Builder b, RelabelConfig cfg) {
    String value = sourceValue(b, cfg);
    switch (cfg.action()) {
      case DROP:
        return !cfg.regex().matches(value);
      case KEEP:
        return cfg.regex().matches(value);
      case DROPEQUAL:
        return !value.equals(orEmpty(b.get(cfg.targetLabel())));
      case KEEPEQUAL:
        return value.equals(orEmpty(b.get(cfg.targetLabel())));
      case REPLACE:
        replace(b, cfg, value);
        return true;
      case LOWERCASE:
        b.set(cfg.targetLabel(), value.toLowerCase(Locale.ROOT));
        return true;
      case UPPERCASE:
        b.set(cfg.targetLabel(), value.toUpperCase(Locale.ROOT));
        return true;
      case HASHMOD:
        b.set(cfg.targetLabel(), Long.toUnsignedString(Long.remainderUnsigned(md5Tail(value), cfg.modulus())));
        return true;
      case LABELMAP: {
        Labels snapshot = b.build();
        for (int i = 0; i < snapshot.size(); i++) {
          Matcher m = cfg.regex().matcher(snapshot.name(i));
          if (m.matches()) {
            String name = dev.kiln.tsdb.model.GoRegexExpand.expand(cfg.replacement(), m);
            if (!name.isEmpty()) {
              b.set(name, snapshot.value(i));
            }
          }
        }
        return true;
      }
      case LABELDROP:
      case LABELKEEP: {
        Labels snapshot = b.build();
        boolean keepMatching = cfg.action() == RelabelAction.LABELKEEP;
        for (int i = 0; i < snapshot.size(); i++) {
          if (cfg.regex().matches(snapshot.name(i)) != keepMatching) {
            b.delete(snapshot.name(i));
          }
        }
        return true;
      }
      default:
        throw new IllegalStateException("BUG: unhandled relabel action " + cfg.action());
    }
  }

  private static void replace(Labels.Builder b, RelabelConfig cfg, String value) {
    // Fast path as Prometheus: default regex and a literal target and replacement.
    if (RelabelConfig.DEFAULT_REGEX.equals(cfg.regexSource())
        && cfg.targetLabel().indexOf('$') < 0
        && cfg.replacement().indexOf('$') < 0) {
      b.set(cfg.targetLabel(), cfg.replacement());
      return;
    }
    Matcher m = cfg.regex().matcher(value);
    if (!m.matches()) {
      return;
    }
    String target = dev.kiln.tsdb.model.GoRegexExpand.expand(cfg.targetLabel(), m);
    if (!validLabelName(target)) {
      return;
    }
    String replacement = dev.kiln.tsdb.model.GoRegexExpand.expand(cfg.replacement(), m);
    if (replacement.isEmpty()) {
      b.delete(target);
    } else {
      b.set(target, replacement);
    }
  }

  /** Label names are valid when non-empty (the UTF-8 name validation scheme of Prometheus 3). */
  static boolean validLabelName(String s) {
    return !s.isEmpty();
  }

  private static String sourceValue(Labels.Builder b, RelabelConfig cfg) {
    List<String> src = cfg.sourceLabels();
    if (src.size() == 1) {
      return orEmpty(b.get(src.get(0)));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < src.size(); i++) {
      if (i > 0) {
        sb.append(cfg.separator());
      }
      sb.append(orEmpty(b.get(src.get(i))));
    }
    return sb.toString();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Bytes 8..15 of the MD5 digest as a big-endian unsigned integer, as Prometheus's hashmod. */
  static long md5Tail(String value) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 8; i < 16; i++) {
        v = (v << 8) | (d[i] & 0xff);
      }
      return v;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: MD5 is always available", e);
    }
  }
}
