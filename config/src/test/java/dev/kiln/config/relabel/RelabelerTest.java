package dev.kiln.config.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.config.ConfigLoader;
import dev.kiln.tsdb.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelabelerTest {
  private static Labels run(String yaml, Labels in) {
    List<RelabelConfig> steps = ConfigLoader.parseRelabelConfigs("test", yaml);
    return Relabeler.process(in, steps);
  }

  @Test
  void replaceWithGoExpansion() {
    Labels in = Labels.of("__address__", "10.0.0.1:9100", "job", "node");
    Labels out = run("[{source_labels: [__address__], regex: '(.*):(\\d+)', target_label: host, replacement: '${1}x$2'}]", in);
    assertEquals("10.0.0.1x9100", out.get("host"));
    Labels longest = run("[{source_labels: [job], regex: '(.*)', target_label: t, replacement: '$1x'}]", in);
    assertNull(longest.get("t"), "$1x names group 1x, which is missing, so the value is empty and the label deleted");
    Labels dollar = run("[{source_labels: [job], target_label: t, replacement: '$$1'}]", in);
    assertEquals("$1", dollar.get("t"));
  }

  @Test
  void keepDropAndEqualityActions() {
    Labels in = Labels.of("a", "x", "b", "x", "c", "y");
    assertNull(run("[{source_labels: [a], regex: 'y', action: keep}]", in));
    assertEquals(in, run("[{source_labels: [a], regex: 'x', action: keep}]", in));
    assertNull(run("[{source_labels: [a], regex: 'x', action: drop}]", in));
    assertEquals(in, run("[{source_labels: [a], target_label: b, action: keepequal}]", in));
    assertNull(run("[{source_labels: [a], target_label: b, action: dropequal}]", in));
    assertNull(run("[{source_labels: [a], regex: 'x.*', action: drop}]", Labels.of("a", "xyz")), "anchored on both ends");
    assertEquals(1, run("[{source_labels: [a], regex: 'x', action: drop}]", Labels.of("a", "xyz")).size());
  }

  @Test
  void labelActionsAndCase() {
    Labels in = Labels.of("__meta_kubernetes_pod_label_app", "web", "__meta_x", "1", "job", "Job");
    Labels mapped = run("[{regex: '__meta_kubernetes_pod_label_(.+)', action: labelmap}]", in);
    assertEquals("web", mapped.get("app"));
    assertEquals("web", mapped.get("__meta_kubernetes_pod_label_app"));
    assertEquals(Labels.of("job", "Job"), run("[{regex: '__meta_.*', action: labeldrop}]", in));
    assertEquals(Labels.of("job", "Job"), run("[{regex: 'job', action: labelkeep}]", in));
    assertEquals("job", run("[{source_labels: [job], target_label: l, action: lowercase}]", in).get("l"));
    assertEquals("JOB", run("[{source_labels: [job], target_label: l, action: uppercase}]", in).get("l"));
  }

  @Test
  void hashmodMatchesPrometheus() {
    // md5("10.0.0.1:9100") bytes 8..15 = 0x4cfeac4083628b3d, which is 2 mod 3 (computed with Python).
    Labels out = run("[{source_labels: [__address__], modulus: 3, target_label: shard, action: hashmod}]",
        Labels.of("__address__", "10.0.0.1:9100"));
    assertEquals("2", out.get("shard"));
    assertEquals("2", expectedFromMd5("10.0.0.1:9100", 3));
  }

  private static String expectedFromMd5(String s, long mod) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      java.math.BigInteger v = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(d, 8, 16));
      return v.mod(java.math.BigInteger.valueOf(mod)).toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
