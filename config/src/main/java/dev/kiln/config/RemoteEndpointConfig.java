package dev.kiln.config;

import dev.kiln.config.relabel.RelabelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A {@code remote_write} or {@code remote_read} entry. Kiln sends to remote_write endpoints;
 * remote_read sections are validated so that existing configurations load, but not used.
 *
 * @param protobufMessage {@code prometheus.WriteRequest} (1.0) or {@code io.prometheus.write.v2.Request}
 * @param sendNativeHistograms {@code send_native_histograms}: whether native-histogram samples are
 *     sent (default false, as in Prometheus)
 * @param metadata {@code metadata_config}: whether and how often metric metadata is sent
 */
public record RemoteEndpointConfig(
    String url, String name, long remoteTimeoutMillis, Map<String, String> headers, List<RelabelConfig> writeRelabelConfigs,
    QueueConfig queue, HttpClientConfig http, String protobufMessage, boolean sendNativeHistograms,
    MetadataConfig metadata) {

  static RemoteEndpointConfig parseWrite(YamlNode n, Path baseDir) {
    String url = requireUrl(n);
    String name = n.string("name", "");
    long timeout = n.duration("remote_timeout", 30_000);
    Map<String, String> headers = n.stringMap("headers");
    List<RelabelConfig> relabel = n.list("write_relabel_configs", RelabelConfig::parse);
    String msg = n.string("protobuf_message", "prometheus.WriteRequest");
    if (!msg.equals("prometheus.WriteRequest") && !msg.equals("io.prometheus.write.v2.Request")) {
      throw n.error("unknown remote write protobuf_message \"" + msg + "\"");
    }
    for (String k : new String[] {"send_exemplars", "round_robin_dns"}) {
      n.bool(k, false);
    }
    boolean sendNativeHistograms = n.bool("send_native_histograms", false);
    QueueConfig queue = QueueConfig.parse(n.get("queue_config"));
    MetadataConfig metadata = MetadataConfig.parse(n.get("metadata_config"));
    n.get("sigv4");
    n.get("azuread");
    n.get("google_iam");
    HttpClientConfig http = HttpClientConfig.parse(n, baseDir);
    n.rejectUnknownKeys("remote_write_config");
    return new RemoteEndpointConfig(url, name, timeout, headers, relabel, queue, http, msg, sendNativeHistograms,
        metadata);
  }

  static RemoteEndpointConfig parseRead(YamlNode n, Path baseDir) {
    String url = requireUrl(n);
    String name = n.string("name", "");
    long timeout = n.duration("remote_timeout", 60_000);
    Map<String, String> headers = n.stringMap("headers");
    n.stringMap("required_matchers");
    n.bool("read_recent", false);
    n.bool("filter_external_labels", true);
    HttpClientConfig http = HttpClientConfig.parse(n, baseDir);
    n.rejectUnknownKeys("remote_read_config");
    return new RemoteEndpointConfig(url, name, timeout, headers, List.of(), QueueConfig.DEFAULT, http,
        "prometheus.WriteRequest", false, MetadataConfig.DEFAULT);
  }

  private static String requireUrl(YamlNode n) {
    String url = n.string("url", null);
    if (url == null || url.isEmpty()) {
      throw n.error("url for remote endpoint is required");
    }
    try {
      java.net.URI u = new java.net.URI(url);
      if (u.getScheme() == null || u.getHost() == null) {
        throw n.error("invalid url \"" + url + "\"");
      }
    } catch (java.net.URISyntaxException e) {
      throw n.error("invalid url \"" + url + "\": " + e.getMessage());
    }
    return url;
  }
}
