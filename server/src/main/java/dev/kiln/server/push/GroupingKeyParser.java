package dev.kiln.server.push;

import dev.kiln.tsdb.model.Labels;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the grouping key from {@code /metrics/job/<job>{/<label>/<value>}} or
 * {@code /metrics/job@base64/<job>...}, with {@code @base64} label values, and the Pushgateway's
 * error texts.
 */
final class GroupingKeyParser {
  private GroupingKeyParser() {}

  /** @param rest the path after {@code /metrics/}, e.g. {@code job/batch/instance/i1} */
  static Labels parse(String rest) throws PushException {
    boolean jobBase64 = rest.startsWith("job@base64/");
    String afterJob = rest.substring(rest.indexOf('/') + 1);
    int slash = afterJob.indexOf('/');
    String job = decode(slash < 0 ? afterJob : afterJob.substring(0, slash));
    String labels = slash < 0 ? "" : afterJob.substring(slash);
    if (jobBase64) {
      try {
        job = base64(job);
      } catch (IllegalArgumentException e) {
        throw new PushException("invalid base64 encoding in job name \"" + job + "\": " + e.getMessage());
      }
    }
    if (job.isEmpty()) {
      throw new PushException("job name is required");
    }
    Labels.Builder b = Labels.builder();
    if (labels.length() > 1) {
      String[] parts = labels.split("/", -1);
      if (parts.length % 2 == 0) {
        throw new PushException("odd number of components in label string \"" + decode(labels) + "\"");
      }
      for (int i = 1; i < parts.length - 1; i += 2) {
        String name = decode(parts[i]);
        String value = decode(parts[i + 1]);
        String trimmed = name.endsWith("@base64") ? name.substring(0, name.length() - 7) : name;
        if (!trimmed.matches("[a-zA-Z_][a-zA-Z0-9_]*") || trimmed.startsWith("__")) {
          throw new PushException("improper label name \"" + trimmed + "\"");
        }
        if (!trimmed.equals(name)) {
          try {
            value = base64(value);
          } catch (IllegalArgumentException e) {
            throw new PushException("invalid base64 encoding for label " + trimmed + "=\"" + value + "\": " + e.getMessage());
          }
        }
        b.set(trimmed, value);
      }
    }
    b.set("job", job);
    return b.build();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Base64 as the Pushgateway reads it: URL-safe or standard alphabet, padding optional, {@code =} alone empty. */
  private static String base64(String s) {
    if (s.equals("=")) {
      return "";
    }
    String t = s.replace('+', '-').replace('/', '_');
    return new String(Base64.getUrlDecoder().decode(t.replace("=", "")), StandardCharsets.UTF_8);
  }
}
