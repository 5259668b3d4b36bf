package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A kubeconfig file resolved through {@code current-context}: server, trust roots, client
 * certificate, token (inline, file or exec plugin) or basic auth, expressed as the scrape-style
 * {@link HttpClientConfig} where they fit. Relative paths are relative to the kubeconfig's directory.
 */
final class Kubeconfig {
  private Kubeconfig() {}

  record Resolved(URI server, SSLContext ssl, ProxySelector proxy, Credentials credentials) {}

  static Resolved load(Path file, Clock clock) throws IOException, GeneralSecurityException {
    Path dir = file.toAbsolutePath().getParent();
    Object root = new Load(LoadSettings.builder().setLabel(file.toString()).build())
        .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    Map<?, ?> doc = map(root, file + ": not a kubeconfig mapping");
    String current = str(doc, "current-context");
    if (current == null || current.isEmpty()) {
      throw new IOException(file + ": current-context is not set");
    }
    Map<?, ?> context = named(doc, "contexts", current, "context", file);
    Map<?, ?> cluster = named(doc, "clusters", str(context, "cluster"), "cluster", file);
    String userName = str(context, "user");
    Map<?, ?> user = userName == null || userName.isEmpty() ? Map.of() : named(doc, "users", userName, "user", file);

    String server = str(cluster, "server");
    if (server == null || server.isEmpty()) {
      throw new IOException(file + ": cluster " + str(context, "cluster") + " has no server");
    }
    URI uri = URI.create(server);
    boolean insecure = "true".equals(String.valueOf(cluster.get("insecure-skip-tls-verify")));
    HttpClientConfig.Tls tls = new HttpClientConfig.Tls(
        pem(cluster, "certificate-authority-data"), pem(user, "client-certificate-data"),
        path(user, "client-certificate", dir), pem(user, "client-key-data"), path(user, "client-key", dir));
    String token = str(user, "token");
    token = token == null || token.isEmpty() ? null : token;
    Path tokenFile = token != null ? null : path(user, "tokenFile", dir);
    boolean bearer = token != null || tokenFile != null;
    String username = bearer ? null : str(user, "username");
    ProxyConfig proxy = ProxyConfig.NONE;
    String proxyUrl = str(cluster, "proxy-url");
    if (proxyUrl != null && !proxyUrl.isEmpty()) {
      proxy = new ProxyConfig(URI.create(proxyUrl), List.of(), false);
    }
    HttpClientConfig http = new HttpClientConfig(username, username == null ? null : str(user, "password"), null,
        bearer ? "Bearer" : null, token, tokenFile, insecure, path(cluster, "certificate-authority", dir), null, true, Map.of(), null, tls, proxy);
    SSLContext ssl = "https".equals(uri.getScheme()) ? http.sslContext() : null;
    Credentials creds = http.newAuthorization()::header;
    if (!bearer && username == null && user.get("exec") instanceof Map<?, ?> exec) {
      creds = new ExecCredentials(exec, dir, clock);
    }
    return new Resolved(uri, ssl, http.proxy().selector(), creds);
  }

  /** Inline base64 PEM data decoded to text, or null. */
  private static String pem(Map<?, ?> m, String key) {
    String data = str(m, key);
    return data == null || data.isEmpty() ? null
        : new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
  }

  /** A file path relative to the kubeconfig's directory, or null. */
  private static Path path(Map<?, ?> m, String key, Path dir) {
    String f = str(m, key);
    return f == null || f.isEmpty() ? null : dir.resolve(f);
  }

  private static Map<?, ?> named(Map<?, ?> doc, String listKey, String name, String field, Path file) throws IOException {
    if (doc.get(listKey) instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> m && name != null && name.equals(str(m, "name"))) {
          return map(m.get(field), file + ": " + listKey + " entry " + name + " has no " + field);
        }
      }
    }
    throw new IOException(file + ": no " + field + " named \"" + name + "\" in " + listKey);
  }

  private static Map<?, ?> map(Object o, String error) throws IOException {
    if (o instanceof Map<?, ?> m) {
      return m;
    }
    throw new IOException(error);
  }

  private static String str(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  /**
   * A client-go credential plugin: runs {@code command args…} with {@code env} added and reads
   * {@code status.token} from the printed {@code ExecCredential}, cached until its
   * {@code expirationTimestamp} (or until a 401).
   */
  static final class ExecCredentials implements Credentials {
    private final List<String> command = new ArrayList<>();
    private final Map<String, String> extraEnv = new java.util.LinkedHashMap<>();
    private final String apiVersion;
    private final Clock clock;
    private String token;
    private Instant expiry;

    ExecCredentials(Map<?, ?> exec, Path dir, Clock clock) throws IOException {
      this.clock = clock;
      String cmd = str(exec, "command");
      if (cmd == null || cmd.isEmpty()) {
        throw new IOException("kubeconfig exec plugin without command");
      }
      command.add(cmd.contains("/") ? dir.resolve(cmd).toString() : cmd);
      if (exec.get("args") instanceof List<?> args) {
        args.forEach(a -> command.add(String.valueOf(a)));
      }
      if (exec.get("env") instanceof List<?> env) {
        for (Object o : env) {
          if (o instanceof Map<?, ?> e && str(e, "name") != null) {
            extraEnv.put(str(e, "name"), str(e, "value") == null ? "" : str(e, "value"));
          }
        }
      }
      String v = str(exec, "apiVersion");
      this.apiVersion = v == null ? "client.authentication.k8s.io/v1" : v;
    }

    @Override
    public synchronized String header() throws IOException {
      if (token == null || expiry != null && !clock.instant().isBefore(expiry)) {
        run();
      }
      return "Bearer " + token;
    }

    @Override
    public synchronized void invalidate() {
      token = null;
    }

    private void run() throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(extraEnv);
      pb.environment().put("KUBERNETES_EXEC_INFO",
          "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}");
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException("kubeconfig exec plugin " + command.get(0) + " timed out");
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running the kubeconfig exec plugin", e);
      }
      if (p.exitValue() != 0) {
        throw new IOException("kubeconfig exec plugin " + command.get(0) + " exited with status " + p.exitValue());
      }
      JsonNode cred = KubeClient.JSON.readTree(out.toByteArray());
      String t = MetaLabels.text(cred, "status", "token");
      if (t == null || t.isEmpty()) {
        throw new IOException("kubeconfig exec plugin " + command.get(0) + " printed no status.token");
      }
      token = t;
      String exp = MetaLabels.text(cred, "status", "expirationTimestamp");
      expiry = exp == null || exp.isEmpty() ? null : Instant.parse(exp);
    }
  }
}
