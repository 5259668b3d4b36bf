package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.KubernetesSdConfig.Role;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing and validation of {@code kubernetes_sd_configs}, with the errors of the contract. */
class KubernetesSdConfigTest {
  private static List<KubernetesSdConfig> parse(String sd) {
    String yaml = "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n" + sd;
    return ConfigLoader.parse("prometheus.yml", yaml, Path.of("/etc/kiln")).scrapeConfig("k").kubernetesSdConfigs();
  }

  private static String error(String sd) {
    return assertThrows(ConfigException.class, () -> parse(sd)).getMessage();
  }

  @Test
  void parsesEveryField() {
    KubernetesSdConfig c = parse("""
              - role: endpointslice
                api_server: https://k8s.example:6443
                namespaces:
                  names: [monitoring, apps]
                selectors:
                  - role: pod
                    label: "app.kubernetes.io/part-of=shop"
                    field: "spec.nodeName=worker-3"
                  - role: service
                    label: "!canary,tier notin (batch)"
                attach_metadata: {node: true, namespace: true}
                authorization: {credentials_file: token}
                tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
        """).get(0);
    assertEquals(Role.ENDPOINTSLICE, c.role());
    assertEquals(URI.create("https://k8s.example:6443"), c.apiServer());
    assertNull(c.kubeconfigFile());
    assertEquals(List.of("monitoring", "apps"), c.namespaces());
    assertFalse(c.ownNamespace());
    assertEquals(new KubernetesSdConfig.Selector(Role.POD, "app.kubernetes.io/part-of=shop", "spec.nodeName=worker-3"),
        c.selector(Role.POD));
    assertEquals("!canary,tier notin (batch)", c.selector(Role.SERVICE).label());
    assertTrue(c.attachMetadata().node());
    assertTrue(c.attachMetadata().namespace());
    assertFalse(c.attachMetadata().deployment());
    assertEquals(Path.of("/etc/kiln/token"), c.http().authorizationCredentialsFile());
    assertEquals(Path.of("/etc/kiln/ca.crt"), c.http().tlsCaFile());
    assertEquals(Path.of("/etc/kiln/client.crt"), c.http().tls().certFile());
  }

  @Test
  void inClusterAndKubeconfigForms() {
    KubernetesSdConfig in = parse("      - role: pod\n        namespaces: {own_namespace: true}\n").get(0);
    assertNull(in.apiServer());
    assertTrue(in.ownNamespace());
    KubernetesSdConfig kc = parse("      - role: node\n        kubeconfig_file: kube/config\n").get(0);
    assertEquals(Path.of("/etc/kiln/kube/config"), kc.kubeconfigFile());
    assertEquals(parse("      - role: pod\n").get(0), parse("      - {role: pod}\n").get(0), "equal configs share a watcher");
  }

  @Test
  void rejectsMissingAndUnknownRoles() {
    assertEquals("prometheus.yml:4: role missing (one of: pod, service, endpoints, endpointslice, node, ingress)",
        error("      - api_server: http://127.0.0.1:1\n"));
    assertEquals("prometheus.yml:4: unknown Kubernetes SD role \"endpoint\"", error("      - role: endpoint\n"));
    assertEquals("prometheus.yml:5: unknown Kubernetes SD role \"pods\"",
        error("      - role: pod\n        selectors: [{role: pods}]\n"));
  }

  @Test
  void rejectsConflictingConnectionSettings() {
    assertEquals("prometheus.yml:4: cannot use 'kubeconfig_file' and 'api_server' simultaneously",
        error("      - role: pod\n        api_server: https://a:6443\n        kubeconfig_file: k\n"));
    assertEquals("prometheus.yml:4: to use custom HTTP client configuration please provide the 'api_server' URL explicitly",
        error("      - role: pod\n        authorization: {credentials_file: t}\n"));
    assertEquals("prometheus.yml:4: cannot use a custom HTTP client configuration together with 'kubeconfig_file'",
        error("      - role: pod\n        kubeconfig_file: k\n        tls_config: {insecure_skip_verify: true}\n"));
    assertEquals("prometheus.yml:4: cannot use 'api_server' and 'namespaces.own_namespace' simultaneously",
        error("      - role: pod\n        api_server: https://a:6443\n        namespaces: {own_namespace: true}\n"));
    assertEquals("prometheus.yml:4: cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously",
        error("      - role: pod\n        kubeconfig_file: k\n        namespaces: {own_namespace: true}\n"));
    assertTrue(error("      - role: pod\n        api_server: 'not a url'\n").startsWith("prometheus.yml:5: api_server:"));
  }

  @Test
  void rejectsDuplicateAndDisallowedSelectorRoles() {
    assertEquals("prometheus.yml:7: duplicated selector role: pod", error("""
              - role: pod
                selectors:
                  - {role: pod, label: a=b}
                  - {role: pod, field: spec.nodeName=x}
        """));
    String[][] cases = {
        {"pod", "service", "pod role supports only pod, node selectors"},
        {"service", "pod", "service role supports only service selectors"},
        {"endpoints", "node", "endpoints role supports only endpoints, service, pod selectors"},
        {"endpointslice", "endpoints", "endpointslice role supports only endpointslice, service, pod selectors"},
        {"node", "pod", "node role supports only node selectors"},
        {"ingress", "service", "ingress role supports only ingress selectors"},
    };
    for (String[] c : cases) {
      assertEquals("prometheus.yml:6: " + c[2], error("      - role: " + c[0] + "\n        selectors:\n          - {role: " + c[1] + "}\n"));
    }
    for (String[] ok : new String[][] {{"endpoints", "pod"}, {"endpointslice", "service"}, {"pod", "node"}}) {
      parse("      - role: " + ok[0] + "\n        selectors:\n          - {role: " + ok[1] + ", label: a=b}\n");
    }
  }

  @Test
  void rejectsMalformedSelectorsAndUnknownFields() {
    assertTrue(error("      - role: pod\n        selectors: [{role: pod, label: 'a b c'}]\n").contains("invalid label selector"));
    assertTrue(error("      - role: pod\n        selectors: [{role: pod, field: 'nodeName'}]\n").contains("invalid field selector"));
    assertEquals("prometheus.yml:5: field rol not found in kubernetes_sd_config", error("      - role: pod\n        rol: x\n"));
    assertEquals("prometheus.yml:6: field own not found in namespaces",
        error("      - role: pod\n        namespaces:\n          own: true\n"));
    assertEquals("prometheus.yml:6: field pods not found in attach_metadata",
        error("      - role: pod\n        attach_metadata:\n          pods: true\n"));
  }
}
