package dev.kiln.scraper.scrape;

import dev.kiln.scraper.config.HttpClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** {@link HttpFetcher} on the JDK's HTTP client; one client per distinct TLS/redirect setting. */
public final class JdkHttpFetcher implements HttpFetcher {
  private final Map<HttpClientConfig, HttpClient> clients = new ConcurrentHashMap<>();

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit)
      throws IOException {
    return fetch(url, headers, cfg, timeoutMillis, bodyLimit, null);
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit,
      byte[] reuse) throws IOException {
    HttpClient client = clients.computeIfAbsent(cfg, JdkHttpFetcher::newClient);
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().timeout(Duration.ofMillis(Math.max(1, timeoutMillis)));
    headers.forEach(rb::header);
    String auth = authorization(cfg);
    if (auth != null) {
      rb.header("Authorization", auth);
    }
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new IOException("Get \"" + url + "\": context deadline exceeded", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("scrape interrupted", e);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e instanceof java.net.ConnectException) {
        msg = "connection refused";
      }
      throw new IOException("Get \"" + url + "\": " + msg, e);
    }
    String contentType = resp.headers().firstValue("Content-Type").orElse(null);
    boolean gzip = resp.headers().firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("gzip")).orElse(false);
    long declared = gzip ? -1 : resp.headers().firstValueAsLong("Content-Length").orElse(-1);
    try (InputStream raw = resp.body(); InputStream in = gzip ? new GZIPInputStream(raw, 8192) : raw) {
      return readBody(resp.statusCode(), contentType, in, reuse, declared, bodyLimit);
    }
  }

  /**
   * Reads the whole (decompressed) body into {@code reuse} when it fits, else into a buffer sized
   * from Content-Length or grown by doubling; no intermediate copies.
   */
  static Response readBody(int status, String contentType, InputStream in, byte[] reuse, long declared, long bodyLimit)
      throws IOException {
    if (bodyLimit > 0 && declared > bodyLimit) {
      throw new BodyTooLargeException(bodyLimit);
    }
    byte[] buf = reuse;
    int want = declared >= 0 && declared < Integer.MAX_VALUE - 16 ? (int) declared + 1 : 16384;
    if (buf == null || buf.length < want && declared >= 0) {
      buf = new byte[Math.max(want, 1024)];
    }
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (buf.length >= Integer.MAX_VALUE - 16) {
          throw new IOException("body too large");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        break;
      }
      len += r;
      if (bodyLimit > 0 && len > bodyLimit) {
        throw new BodyTooLargeException(bodyLimit);
      }
    }
    return new Response(status, contentType, buf, len);
  }

  /** The Authorization header the configuration asks for, or null. */
  static String authorization(HttpClientConfig cfg) throws IOException {
    if (cfg.basicAuthUsername() != null || cfg.basicAuthPassword() != null || cfg.basicAuthPasswordFile() != null) {
      String pass = cfg.basicAuthPassword();
      if (cfg.basicAuthPasswordFile() != null) {
        pass = Files.readString(cfg.basicAuthPasswordFile()).trim();
      }
      String user = cfg.basicAuthUsername() == null ? "" : cfg.basicAuthUsername();
      return "Basic " + Base64.getEncoder().encodeToString((user + ":" + (pass == null ? "" : pass)).getBytes(StandardCharsets.UTF_8));
    }
    if (cfg.authorizationType() != null) {
      String creds = cfg.authorizationCredentials();
      if (cfg.authorizationCredentialsFile() != null) {
        creds = Files.readString(cfg.authorizationCredentialsFile()).trim();
      }
      return cfg.authorizationType() + " " + (creds == null ? "" : creds);
    }
    return null;
  }

  private static HttpClient newClient(HttpClientConfig cfg) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(cfg.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1);
    try {
      if (cfg.tlsInsecureSkipVerify()) {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        b.sslContext(ctx);
      } else if (cfg.tlsCaFile() != null) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(cfg.tlsCaFile())) {
          int i = 0;
          for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            ks.setCertificateEntry("ca" + i++, cert);
          }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        b.sslContext(ctx);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    return b.build();
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
