package dev.kiln.server.differential;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request to a push API (Kiln's or the Pushgateway's), and the request sequences that more
 * than one differential test sends to both.
 */
record PushRequest(String method, String path, String contentType, byte[] body) {
  static final String TEXT = "text/plain; version=0.0.4";
  static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

  static PushRequest text(String method, String path, String body) {
    return new PushRequest(method, path, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Empty grouping labels: foo="" (base64 "=" or nothing, or a plain empty value) is a group of
   * its own beside the group without foo and overrides a pushed foo; two series that differ only
   * in it are both held; a DELETE names the group with its empty label.
   */
  static List<PushRequest> emptyGroupingLabels() {
    return List.of(
        text("PUT", "/metrics/job/ek/foo@base64/=", "ek_a 1\nek_own{foo=\"x\"} 2\nek_dup 1\n"),
        text("PUT", "/metrics/job/ek", "ek_b 3\nek_own{foo=\"x\"} 4\nek_dup 2\n"),
        text("POST", "/metrics/job/ek/foo/", "ek_c 5\n"),
        text("PUT", "/metrics/job/ek2", "dupe{foo=\"\"} 1\n"),
        text("POST", "/metrics/job/ek2/foo@base64/", "dupe 2\n"),
        text("PUT", "/metrics/job/del/x@base64/", "del_a 1\n"),
        text("PUT", "/metrics/job/del", "del_b 1\n"),
        text("DELETE", "/metrics/job/del/x@base64/=", ""));
  }
}
