package dev.kiln.scraper.discovery.kubernetes;

import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.KubernetesSdConfig;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Builds the API client for a {@code kubernetes_sd_config}: explicit {@code api_server} with the
 * scrape-style HTTP settings, a kubeconfig file, or the in-cluster service account.
 */
final class ApiConnection {
  private ApiConnection() {}

  /** A client plus, in-cluster, the namespace Kiln runs in. */
  record Connected(KubeClient client, String ownNamespace) {}

  static Connected connect(KubernetesSdConfig cfg, KubeEnvironment env) throws IOException {
    try {
      if (cfg.apiServer() != null) {
        return new Connected(explicit(cfg, env), null);
      }
      if (cfg.kubeconfigFile() != null) {
        Kubeconfig.Resolved k = Kubeconfig.load(cfg.kubeconfigFile(), env.clock());
        HttpClient http = httpClient(k.ssl(), k.proxy(), true);
        return new Connected(new KubeClient(k.server(), http, k.credentials(), Map.of(), env.userAgent()), null);
      }
      return inCluster(cfg, env);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for the Kubernetes API: " + e.getMessage(), e);
    }
  }

  private static KubeClient explicit(KubernetesSdConfig cfg, KubeEnvironment env)
      throws IOException, GeneralSecurityException {
    HttpClientConfig h = cfg.http();
    SSLContext ssl = "https".equals(cfg.apiServer().getScheme()) ? h.sslContext() : null;
    // Secret files (password_file, credentials_file) are read again for every request; an OAuth2 token is
    // kept by this connection's own HttpAuthorization.
    return new KubeClient(cfg.apiServer(), httpClient(ssl, h.proxy().selector(), h.followRedirects()),
        h.newAuthorization()::header,
        h.headers(), env.userAgent());
  }

  private static Connected inCluster(KubernetesSdConfig cfg, KubeEnvironment env)
      throws IOException, GeneralSecurityException {
    String host = env.env().apply("KUBERNETES_SERVICE_HOST");
    String port = env.env().apply("KUBERNETES_SERVICE_PORT");
    if (host == null || host.isEmpty() || port == null || port.isEmpty()) {
      throw new IOException("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
          + "KUBERNETES_SERVICE_PORT must be defined: not running in a cluster");
    }
    URI server = URI.create("https://" + MetaLabels.joinHostPort(host, port));
    Path dir = env.serviceAccountDir();
    HttpClientConfig trust = new HttpClientConfig(null, null, null, null, null, null, false, dir.resolve("ca.crt"), null,
        true, Map.of());
    Credentials creds = Credentials.file("Bearer", dir.resolve("token"), env.tokenMaxAgeMillis(), env.clock());
    creds.header(); // fail early when the token is missing
    String ns = null;
    if (cfg.ownNamespace()) {
      ns = Files.readString(dir.resolve("namespace"), StandardCharsets.UTF_8).trim();
    }
    return new Connected(new KubeClient(server, httpClient(trust.sslContext(), null, true), creds, Map.of(), env.userAgent()), ns);
  }

  static HttpClient httpClient(SSLContext ssl, ProxySelector proxy, boolean followRedirects) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(followRedirects ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    if (proxy != null) {
      b.proxy(proxy);
    }
    return b.build();
  }
}
