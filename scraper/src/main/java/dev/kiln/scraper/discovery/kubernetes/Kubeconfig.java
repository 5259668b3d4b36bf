package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
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
 * certificate, token (inline, file or exec plugin) or basic auth. Relative paths are relative to
 * the kubeconfig's directory.
 */
final class Kubeconfig {
  private Kubeconfig() {}

  record Resolved(URI server, SSLContext ssl, ProxySelector proxy, Credentials credentials, String namespace) {}

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
    List<X509Certificate> roots = null;
    byte[] caData = bytes(cluster, "certificate-authority-data", "certificate-authority", dir);
    if (caData != null) {
      roots = Pem.certificates(caData);
    }
    boolean insecure = "true".equals(String.valueOf(cluster.get("insecure-skip-tls-verify")));
    PrivateKey key = null;
    List<X509Certificate> chain = null;
    byte[] certData = bytes(user, "client-certificate-data", "client-certificate", dir);
    byte[] keyData = bytes(user, "client-key-data", "client-key", dir);
    if (certData != null && keyData != null) {
      chain = Pem.certificates(certData);
      key = Pem.privateKey(keyData);
    }
    SSLContext ssl = "https".equals(uri.getScheme()) ? Pem.context(roots, insecure, key, chain) : null;
    ProxySelector proxy = null;
    String proxyUrl = str(cluster, "proxy-url");
    if (proxyUrl != null && !proxyUrl.isEmpty()) {
      URI p = URI.create(proxyUrl);
      proxy = ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort() < 0 ? 80 : p.getPort()));
    }

    Credentials creds = Credentials.NONE;
    String token = str(user, "token");
    String tokenFile = str(user, "tokenFile");
    if (token != null && !token.isEmpty()) {
      creds = Credentials.fixed("Bearer " + token);
    } else if (tokenFile != null && !tokenFile.isEmpty()) {
      creds = Credentials.file("Bearer", dir.resolve(tokenFile), 60_000, clock);
    } else if (user.get("exec") instanceof Map<?, ?> exec) {
      creds = new ExecCredentials(exec, dir, clock);
    } else if (str(user, "username") != null) {
      creds = Credentials.basic(str(user, "username"), str(user, "password"));
    }
    return new Resolved(uri, ssl, proxy, creds, str(context, "namespace"));
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

  /** Inline base64 data or the content of a file (relative to the kubeconfig), or null. */
  private static byte[] bytes(Map<?, ?> m, String dataKey, String fileKey, Path dir) throws IOException {
    String data = str(m, dataKey);
    if (data != null && !data.isEmpty()) {
      return Base64.getMimeDecoder().decode(data);
    }
    String f = str(m, fileKey);
    if (f != null && !f.isEmpty()) {
      return Files.readAllBytes(dir.resolve(f));
    }
    return null;
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
