package dev.kiln.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The proxy settings of an HTTP client section: {@code proxy_url} with {@code no_proxy}, or
 * {@code proxy_from_environment} ({@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code NO_PROXY}).
 * Plain HTTP proxies; credentials in the proxy URL are not supported.
 */
public record ProxyConfig(URI url, List<String> noProxy, boolean fromEnvironment) {
  public static final ProxyConfig NONE = new ProxyConfig(null, List.of(), false);

  public ProxyConfig {
    noProxy = List.copyOf(noProxy);
  }

  public boolean isSet() {
    return url != null || fromEnvironment;
  }

  static ProxyConfig parse(YamlNode n) {
    String url = n.string("proxy_url", null);
    String noProxy = n.string("no_proxy", null);
    boolean env = n.bool("proxy_from_environment", false);
    YamlNode connectHeaders = n.get("proxy_connect_header");
    for (String h : connectHeaders.absent() ? java.util.List.<String>of() : connectHeaders.keys()) {
      connectHeaders.strings(h);
    }
    if (url != null && url.isEmpty()) {
      url = null;
    }
    if (url != null && env) {
      throw n.error("if proxy_from_environment is configured, proxy_url must not be configured");
    }
    if (noProxy != null && url == null) {
      throw n.error("if no_proxy is configured, proxy_url must also be configured");
    }
    URI u = null;
    if (url != null) {
      try {
        u = new URI(url);
      } catch (java.net.URISyntaxException e) {
        throw n.error("invalid proxy_url \"" + url + "\": " + e.getMessage());
      }
      if (u.getHost() == null) {
        throw n.error("invalid proxy_url \"" + url + "\"");
      }
    }
    List<String> hosts = noProxy == null ? List.of() : List.of(noProxy.split("\\s*,\\s*"));
    return new ProxyConfig(u, hosts, env);
  }

  /** A selector for the JDK HTTP client, or null for direct connections. */
  public ProxySelector selector() {
    if (!isSet()) {
      return null;
    }
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        URI proxy = url;
        List<String> exempt = noProxy;
        if (fromEnvironment) {
          String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
          String v = env(scheme.equals("https") ? "HTTPS_PROXY" : "HTTP_PROXY");
          proxy = v == null || v.isEmpty() ? null : URI.create(v.contains("://") ? v : "http://" + v);
          String np = env("NO_PROXY");
          exempt = np == null ? List.of() : List.of(np.split("\\s*,\\s*"));
        }
        if (proxy == null || exempted(uri.getHost(), exempt)) {
          return List.of(Proxy.NO_PROXY);
        }
        int port = proxy.getPort() > 0 ? proxy.getPort() : 80;
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), port)));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    };
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v != null ? v : System.getenv(name.toLowerCase(Locale.ROOT));
  }

  /** Go's no_proxy rules, simplified: {@code *}, exact hosts, and domain suffixes ({@code .corp}, {@code corp}). */
  static boolean exempted(String host, List<String> rules) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    for (String r : rules) {
      String rule = r.trim().toLowerCase(Locale.ROOT);
      if (rule.isEmpty()) {
        continue;
      }
      if (rule.equals("*") || h.equals(rule) || h.equals(rule.replaceFirst("^\\.", ""))
          || h.endsWith(rule.startsWith(".") ? rule : "." + rule)) {
        return true;
      }
    }
    return false;
  }
}
