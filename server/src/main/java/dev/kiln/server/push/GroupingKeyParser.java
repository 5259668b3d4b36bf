package dev.kiln.server.push;

import dev.kiln.tsdb.model.GoStrings;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the grouping key from {@code /metrics/job/<job>{/<label>/<value>}} or
 * {@code /metrics/job@base64/<job>...}, with {@code @base64} label values, as the Pushgateway's
 * {@code splitLabels} does: the path is split after it is URL-decoded, an empty value (plain, or
 * {@code @base64} as {@code =} or nothing) is kept in the key, a later label of the same name
 * wins, the job of the path wins over a {@code job} label, and the errors are checked in the
 * Pushgateway's order (the job's base64, then the labels, then an empty job) with its texts.
 */
final class GroupingKeyParser {
  private GroupingKeyParser() {}

  /** @param rest the decoded path after {@code /metrics/}, e.g. {@code job/batch/instance/i1} */
  static GroupingKey parse(String rest) throws PushException {
    boolean jobBase64 = rest.startsWith("job@base64/");
    String afterJob = rest.substring(rest.indexOf('/') + 1);
    int slash = afterJob.indexOf('/');
    String job = slash < 0 ? afterJob : afterJob.substring(0, slash);
    String labels = slash < 0 ? "" : afterJob.substring(slash);
    if (jobBase64) {
      GoBase64.Result decoded = GoBase64.decodeRawUrl(job);
      if (decoded.error() != null) {
        throw new PushException("invalid base64 encoding in job name " + GoStrings.quote(decoded.value()) + ": "
            + decoded.error());
      }
      job = decoded.value();
    }
    Map<String, String> key = splitLabels(labels);
    if (job.isEmpty()) {
      throw new PushException("job name is required");
    }
    key.put("job", job);
    return GroupingKey.of(key);
  }

  private static Map<String, String> splitLabels(String labels) throws PushException {
    Map<String, String> out = new TreeMap<>();
    if (labels.length() <= 1) {
      return out;
    }
    String[] parts = labels.substring(1).split("/", -1);
    if (parts.length % 2 != 0) {
      throw new PushException("odd number of components in label string " + GoStrings.quote(labels));
    }
    for (int i = 0; i < parts.length - 1; i += 2) {
      String name = parts[i];
      String value = parts[i + 1];
      String trimmed = name.endsWith("@base64") ? name.substring(0, name.length() - 7) : name;
      if (!trimmed.matches("[a-zA-Z_][a-zA-Z0-9_]*") || trimmed.startsWith("__")) {
        throw new PushException("improper label name " + GoStrings.quote(trimmed));
      }
      if (trimmed.equals(name)) {
        out.put(name, value);
        continue;
      }
      GoBase64.Result decoded = GoBase64.decodeRawUrl(value);
      if (decoded.error() != null) {
        throw new PushException("invalid base64 encoding for label " + trimmed + "=" + GoStrings.quote(value) + ": "
            + decoded.error());
      }
      out.put(trimmed, decoded.value());
    }
    return out;
  }
}
