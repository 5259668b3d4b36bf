package dev.kiln.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@code kubernetes_sd_configs} entry, validated as Prometheus validates it. Two equal configs
 * describe the same list/watch streams, so equality is what lets jobs share a watcher.
 *
 * @param apiServer explicit API server URL, or null (in-cluster or kubeconfig)
 * @param kubeconfigFile resolved kubeconfig path, or null
 * @param namespaces namespace names to watch; empty with {@code ownNamespace} false = all namespaces
 * @param http HTTP client settings; only non-default together with {@code apiServer}
 */
public record KubernetesSdConfig(
    Role role,
    URI apiServer,
    Path kubeconfigFile,
    List<String> namespaces,
    boolean ownNamespace,
    List<Selector> selectors,
    AttachMetadata attachMetadata,
    HttpClientConfig http) {

  /** The Kubernetes SD roles. */
  public enum Role {
    NODE("node"),
    POD("pod"),
    SERVICE("service"),
    ENDPOINTS("endpoints"),
    ENDPOINTSLICE("endpointslice"),
    INGRESS("ingress");

    private final String yamlName;

    Role(String yamlName) {
      this.yamlName = yamlName;
    }

    /** The name used in configuration ({@code endpoints}, {@code pod}, …). */
    public String yamlName() {
      return yamlName;
    }

    static Role of(String s) {
      for (Role r : values()) {
        if (r.yamlName.equals(s)) {
          return r;
        }
      }
      return null;
    }
  }

  /** A server-side filter for the objects of one role: label and field selectors as the API takes them. */
  public record Selector(Role role, String label, String field) {}

  /** Which extra metadata is attached to targets. */
  public record AttachMetadata(boolean node, boolean namespace, boolean deployment, boolean job, boolean cronjob) {
    public static final AttachMetadata NONE = new AttachMetadata(false, false, false, false, false);
  }

  private static final Map<Role, List<Role>> ALLOWED_SELECTORS = new EnumMap<>(Map.of(
      Role.POD, List.of(Role.POD, Role.NODE),
      Role.SERVICE, List.of(Role.SERVICE),
      Role.ENDPOINTS, List.of(Role.ENDPOINTS, Role.SERVICE, Role.POD),
      Role.ENDPOINTSLICE, List.of(Role.ENDPOINTSLICE, Role.SERVICE, Role.POD),
      Role.NODE, List.of(Role.NODE),
      Role.INGRESS, List.of(Role.INGRESS)));

  private static final Set<String> HTTP_ONLY_KEYS = Set.of(
      "oauth2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers");

  public KubernetesSdConfig {
    namespaces = List.copyOf(namespaces);
    selectors = List.copyOf(selectors);
  }

  /** The selector for objects of {@code r}, or null. */
  public Selector selector(Role r) {
    for (Selector s : selectors) {
      if (s.role() == r) {
        return s;
      }
    }
    return null;
  }

  static KubernetesSdConfig parse(YamlNode n, Path baseDir) {
    YamlNode roleNode = n.get("role");
    String roleText = roleNode.text();
    if (roleText == null || roleText.isEmpty()) {
      throw n.error("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
    }
    Role role = Role.of(roleText);
    if (role == null) {
      throw roleNode.error("unknown Kubernetes SD role \"" + roleText + "\"");
    }
    YamlNode apiNode = n.get("api_server");
    String apiText = apiNode.text();
    if (apiText != null && apiText.isEmpty()) {
      apiText = null;
    }
    String kubeconfig = n.string("kubeconfig_file", null);
    if (kubeconfig != null && kubeconfig.isEmpty()) {
      kubeconfig = null;
    }
    Path kubeconfigPath = kubeconfig == null ? null : baseDir == null ? Path.of(kubeconfig) : baseDir.resolve(kubeconfig);

    List<String> names = new ArrayList<>();
    boolean own = false;
    YamlNode ns = n.get("namespaces");
    if (!ns.absent()) {
      names.addAll(ns.strings("names"));
      own = ns.bool("own_namespace", false);
      ns.rejectUnknownKeys("namespaces");
    }

    YamlNode selNode = n.get("selectors");
    List<Selector> selectors = new ArrayList<>();
    Set<Role> seen = EnumSet.noneOf(Role.class);
    for (YamlNode s : selNode.items()) {
      YamlNode sr = s.get("role");
      String srText = sr.text();
      Role selRole = srText == null ? null : Role.of(srText);
      if (selRole == null) {
        throw (srText == null ? s : sr).error("unknown Kubernetes SD role \"" + (srText == null ? "" : srText) + "\"");
      }
      String label = s.string("label", "");
      String field = s.string("field", "");
      s.rejectUnknownKeys("selectors");
      if (!seen.add(selRole)) {
        throw s.error("duplicated selector role: " + selRole.yamlName());
      }
      List<Role> allowed = ALLOWED_SELECTORS.get(role);
      if (!allowed.contains(selRole)) {
        throw s.error(role.yamlName() + " role supports only "
            + allowed.stream().map(Role::yamlName).collect(Collectors.joining(", ")) + " selectors");
      }
      String err = Selectors.validateLabelSelector(label);
      if (err == null) {
        err = Selectors.validateFieldSelector(field);
      }
      if (err != null) {
        throw s.error(err);
      }
      selectors.add(new Selector(selRole, label, field));
    }

    AttachMetadata attach = AttachMetadata.NONE;
    YamlNode am = n.get("attach_metadata");
    if (!am.absent()) {
      attach = new AttachMetadata(am.bool("node", false), am.bool("namespace", false), am.bool("deployment", false),
          am.bool("job", false), am.bool("cronjob", false));
      am.rejectUnknownKeys("attach_metadata");
    }

    boolean customHttp = false;
    for (String k : HttpClientConfig.keys()) {
      if (HTTP_ONLY_KEYS.contains(k) && !n.get(k).absent()) {
        customHttp = true;
      }
    }
    Path dir = baseDir == null ? Path.of("") : baseDir;
    HttpClientConfig http = HttpClientConfig.parse(n, dir);
    customHttp |= !http.equals(HttpClientConfig.DEFAULT);
    n.rejectUnknownKeys("kubernetes_sd_config");
    URI api = apiText == null ? null : apiServer(apiNode, apiText, http);

    if (api != null && kubeconfigPath != null) {
      throw n.error("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
    }
    if (kubeconfigPath != null && customHttp) {
      throw n.error("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
    }
    if (api == null && customHttp) {
      throw n.error("to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
    }
    if (api != null && own) {
      throw n.error("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
    }
    if (kubeconfigPath != null && own) {
      throw n.error("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
    }
    return new KubernetesSdConfig(role, api, kubeconfigPath, names, own, selectors, attach, http);
  }

  /**
   * The API server URL. A bare host (as the Operator writes {@code api_server: example.com}) gets
   * client-go's default scheme: https when TLS material or insecure_skip_verify is set, else http.
   */
  private static URI apiServer(YamlNode node, String text, HttpClientConfig http) {
    String t = text;
    if (!t.contains("://")) {
      boolean tls = http.tlsCaFile() != null || http.tlsInsecureSkipVerify()
          || (http.tls() != null && (http.tls().caPem() != null || http.tls().hasClientCertificate()));
      t = (tls ? "https://" : "http://") + t;
    }
    URI api;
    try {
      api = new URI(t);
    } catch (URISyntaxException e) {
      throw node.error("api_server: invalid URL \"" + text + "\": " + e.getMessage());
    }
    if (api.getScheme() == null || !(api.getScheme().equals("http") || api.getScheme().equals("https")) || api.getHost() == null) {
      throw node.error("api_server: \"" + text + "\" is not an http(s) URL with a host");
    }
    return api;
  }

  @Override
  public String toString() {
    return "kubernetes_sd_config{role=" + role.yamlName() + (apiServer == null ? "" : ", api_server=" + apiServer)
        + (kubeconfigFile == null ? "" : ", kubeconfig_file=" + kubeconfigFile)
        + (namespaces.isEmpty() ? "" : ", namespaces=" + namespaces) + (ownNamespace ? ", own_namespace" : "") + "}";
  }

  /** Syntax checks of Kubernetes label and field selectors (the API server has the last word). */
  static final class Selectors {
    private Selectors() {}

    /** Null when {@code s} is a valid label selector, else the reason. */
    static String validateLabelSelector(String s) {
      if (s.isBlank()) {
        return null;
      }
      for (String req : splitTopLevel(s)) {
        String r = req.strip();
        if (r.isEmpty()) {
          return "invalid label selector \"" + s + "\": empty requirement";
        }
        String err = labelRequirement(r);
        if (err != null) {
          return "invalid label selector \"" + s + "\": " + err;
        }
      }
      return null;
    }

    private static String labelRequirement(String r) {
      if (r.startsWith("!")) {
        return key(r.substring(1).strip());
      }
      String lower = r.toLowerCase(Locale.ROOT);
      for (String op : new String[] {" notin ", " in "}) {
        int i = lower.indexOf(op);
        if (i > 0) {
          String k = r.substring(0, i).strip();
          String rest = r.substring(i + op.length()).strip();
          if (!rest.startsWith("(") || !rest.endsWith(")")) {
            return "values of '" + op.strip() + "' must be in parentheses";
          }
          String err = key(k);
          if (err != null) {
            return err;
          }
          for (String v : rest.substring(1, rest.length() - 1).split(",", -1)) {
            err = value(v.strip());
            if (err != null) {
              return err;
            }
          }
          return null;
        }
      }
      String[] ops = {"!=", "==", "=", ">", "<"};
      for (String op : ops) {
        int i = r.indexOf(op);
        if (i >= 0) {
          String err = key(r.substring(0, i).strip());
          return err != null ? err : value(r.substring(i + op.length()).strip());
        }
      }
      return key(r);
    }

    private static String key(String k) {
      if (k.isEmpty()) {
        return "empty key";
      }
      String name = k;
      int slash = k.indexOf('/');
      if (slash >= 0) {
        String prefix = k.substring(0, slash);
        name = k.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 253 || !prefix.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
          return "invalid key prefix \"" + prefix + "\"";
        }
      }
      if (name.isEmpty() || name.length() > 63 || !name.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
        return "invalid key \"" + k + "\"";
      }
      return null;
    }

    private static String value(String v) {
      if (v.isEmpty()) {
        return null;
      }
      if (v.length() > 63 || !v.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
        return "invalid value \"" + v + "\"";
      }
      return null;
    }

    /** Null when {@code s} is a valid field selector, else the reason. */
    static String validateFieldSelector(String s) {
      if (s.isBlank()) {
        return null;
      }
      for (String req : s.split(",", -1)) {
        String r = req.strip();
        int i = r.indexOf("!=");
        int len = 2;
        if (i < 0) {
          i = r.indexOf("==");
        }
        if (i < 0) {
          i = r.indexOf('=');
          len = 1;
        }
        if (i <= 0) {
          return "invalid field selector \"" + s + "\": \"" + r + "\" is not key=value, key==value or key!=value";
        }
        if (r.substring(i + len).contains("=")) {
          return "invalid field selector \"" + s + "\": \"" + r + "\" has more than one operator";
        }
      }
      return null;
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTopLevel(String s) {
      List<String> out = new ArrayList<>();
      int depth = 0;
      int start = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        } else if (c == ',' && depth == 0) {
          out.add(s.substring(start, i));
          start = i + 1;
        }
      }
      out.add(s.substring(start));
      return out;
    }
  }
}
