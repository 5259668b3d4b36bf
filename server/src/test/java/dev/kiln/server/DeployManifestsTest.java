package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.config.AlertmanagerConfig;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.server.rules.RuleFileParser;
import dev.kiln.tsdb.memory.InMemoryStorage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRuleSpec;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files in {@code deploy/} against the Kubernetes API model (fabric8), Kiln's CLI,
 * config loader and rule parser: what CI can check without a cluster or a Docker engine.
 */
class DeployManifestsTest {
  private static final Path ROOT = repositoryRoot();
  private static final long DAY_MS = 86_400_000L;

  @TempDir Path tmp;
  private final StrictKubernetesReader reader = new StrictKubernetesReader();

  // ---- plain manifests ----

  @Test
  void everyManifestIsAStrictlyValidKubernetesObject() throws IOException {
    List<HasMetadata> all = manifests();
    Set<String> kinds = new TreeSet<>();
    for (HasMetadata r : all) {
      kinds.add(r.getKind());
      boolean clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding").contains(r.getKind());
      assertEquals(clusterScoped ? null : "kiln", r.getMetadata().getNamespace(), r.getKind() + " " + r.getMetadata().getName());
    }
    assertEquals(new TreeSet<>(List.of("ClusterRole", "ClusterRoleBinding", "ConfigMap", "Namespace", "Service",
        "ServiceAccount", "StatefulSet")), kinds);
  }

  @Test
  void unknownFieldsWrongTypesAndWrongApiVersionsAreRejected() throws IOException {
    JsonNode sts = reader.documents(Files.readString(ROOT.resolve("deploy/kubernetes/30-statefulset.yaml"))).get(0);
    reader.resource(sts);

    ObjectNode typo = reader.copy(sts);
    ((ObjectNode) typo.at("/spec/template/spec")).put("serviceAcountName", "kiln");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.resource(typo)).getMessage()
        .contains("serviceAcountName"));

    ObjectNode deep = reader.copy(sts);
    ((ObjectNode) deep.at("/spec/template/spec/containers/0/readinessProbe/httpGet")).put("paht", "/-/ready");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.resource(deep)).getMessage().contains("paht"));

    ObjectNode type = reader.copy(sts);
    ((ObjectNode) type.at("/spec")).put("replicas", "one");
    assertThrows(IllegalArgumentException.class, () -> reader.resource(type));

    ObjectNode version = reader.copy(sts);
    version.put("apiVersion", "apps/v1beta1");
    assertThrows(IllegalArgumentException.class, () -> reader.resource(version));

    ObjectNode quantity = reader.copy(sts);
    ((ObjectNode) quantity.at("/spec/template/spec/containers/0/resources/limits")).put("memory", "3 gigs");
    assertThrows(IllegalArgumentException.class, () -> reader.resource(quantity));
  }

  @Test
  void statefulSetStartsKilnWithTheMountedConfig() throws Exception {
    List<HasMetadata> all = manifests();
    StatefulSet sts = one(all, StatefulSet.class);
    assertEquals(1, sts.getSpec().getReplicas());
    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    assertEquals(one(all, ServiceAccount.class).getMetadata().getName(), pod.getServiceAccountName());
    assertEquals(65534L, pod.getSecurityContext().getRunAsUser());
    assertEquals(65534L, pod.getSecurityContext().getFsGroup());
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(1, pod.getContainers().size());
    Container c = pod.getContainers().get(0);

    // --config.file names prometheus.yml inside the kiln-config ConfigMap's mount.
    List<String> args = new ArrayList<>(c.getArgs());
    String configFlag = flag(args, "--config.file");
    VolumeMount configMount = mountOf(c, configFlag);
    ConfigMap config = configMap(all, volume(pod, configMount.getName()).getConfigMap().getName());
    String key = Path.of(configMount.getMountPath()).relativize(Path.of(configFlag)).toString();
    Path configCopy = tmp.resolve(key);
    Files.writeString(configCopy, config.getData().get(key));
    args.replaceAll(a -> a.equals("--config.file=" + configFlag) ? "--config.file=" + configCopy : a);

    // The same validation Kiln runs at start-up: flags, values and the config file.
    Main main = new Main();
    Main.commandLine(main).parseArgs(args.toArray(String[]::new));
    KilnOptions opts = main.options();
    assertEquals(15 * DAY_MS, opts.retentionMillis());
    assertTrue(opts.retentionBytes() > 0);
    assertTrue(opts.lifecycle(), "the reload endpoint is on, for ConfigMap edits");

    // Port, probes, data volume.
    var port = c.getPorts().get(0);
    assertEquals(opts.listenPort(), port.getContainerPort());
    assertEquals("/-/healthy", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals("/-/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/-/ready", c.getStartupProbe().getHttpGet().getPath());
    for (var probe : List.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())) {
      assertEquals(port.getName(), probe.getHttpGet().getPort().getStrVal());
    }
    VolumeMount dataMount = mountOf(c, opts.dataPath().toString());
    assertEquals(dataMount.getName(), sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());
    assertFalse(dataMount.getReadOnly() != null && dataMount.getReadOnly());

    // The Service reaches the pods by their labels and the named port.
    Service svc = one(all, Service.class);
    Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()));
    assertEquals(sts.getSpec().getSelector().getMatchLabels(), svc.getSpec().getSelector());
    assertEquals(port.getName(), svc.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals(sts.getSpec().getServiceName(), svc.getMetadata().getName());

    // rule_files point into the rules ConfigMap's mount, whose files are valid rule files.
    PrometheusConfig loaded = ConfigLoader.load(configCopy);
    assertEquals(1, loaded.ruleFiles().size());
    Path ruleGlob = Path.of(loaded.ruleFiles().get(0));
    VolumeMount rulesMount = mountOf(c, ruleGlob.toString());
    ConfigMap rules = configMap(all, volume(pod, rulesMount.getName()).getConfigMap().getName());
    assertFalse(rules.getData().isEmpty());
    for (var e : rules.getData().entrySet()) {
      assertTrue(ruleGlob.getFileSystem().getPathMatcher("glob:" + ruleGlob.getFileName()).matches(Path.of(e.getKey())), e.getKey());
      assertFalse(ruleParser().parse(e.getKey(), e.getValue(), loaded.global().evaluationIntervalMillis(), 0).isEmpty());
    }
  }

  @Test
  void clusterRoleCoversWhatKubernetesDiscoveryWatches() throws IOException {
    List<HasMetadata> all = manifests();
    PrometheusConfig config = clusterConfig(all);
    ClusterRole role = one(all, ClusterRole.class);
    Set<Permission> needed = permissionsNeeded(config);
    assertTrue(needed.containsAll(Set.of(new Permission("", "nodes", "list"), new Permission("", "pods", "watch"),
        new Permission("discovery.k8s.io", "endpointslices", "list"), new Permission("", "nodes/metrics", "get"))),
        "the config discovers nodes, pods and endpoint slices: " + needed);
    assertEquals(Set.of(), missing(role, needed));
    assertTrue(role.getRules().stream().anyMatch(r -> r.getNonResourceURLs().contains("/metrics")
        && r.getVerbs().contains("get")));

    ClusterRoleBinding binding = one(all, ClusterRoleBinding.class);
    ServiceAccount sa = one(all, ServiceAccount.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("ClusterRole", binding.getRoleRef().getKind());
    assertTrue(binding.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
        && s.getName().equals(sa.getMetadata().getName()) && s.getNamespace().equals(sa.getMetadata().getNamespace())));

    // The check is not vacuous: without the discovery.k8s.io rule, endpoint slices are missing.
    ClusterRole reduced = reader.strict(reader.json.valueToTree(role), ClusterRole.class, "ClusterRole");
    reduced.getRules().removeIf(r -> r.getApiGroups().contains("discovery.k8s.io"));
    assertEquals(Set.of(new Permission("discovery.k8s.io", "endpointslices", "get"),
        new Permission("discovery.k8s.io", "endpointslices", "list"),
        new Permission("discovery.k8s.io", "endpointslices", "watch")), missing(reduced, needed));
  }

  // ---- kube-prometheus-stack values ----

  @Test
  void helmValuesGiveTheOperatorAValidPrometheusSpecKilnRuns() throws Exception {
    JsonNode values = helmValues();
    JsonNode chartSpec = values.at("/prometheus/prometheusSpec");
    PrometheusSpec spec = reader.strict(operatorSpec(chartSpec), PrometheusSpec.class, "prometheusSpec");

    String image = spec.getImage();
    assertTrue(image.matches("[a-z0-9.-]+/[a-z0-9/_-]+:[\\w.-]+"), image);
    Matcher v = Pattern.compile("v(\\d+)\\.(\\d+)\\.\\d+").matcher(spec.getVersion());
    assertTrue(v.matches(), spec.getVersion());
    int major = Integer.parseInt(v.group(1));
    int minor = Integer.parseInt(v.group(2));
    assertTrue(major == 3 || (major == 2 && minor >= 55), "Kiln takes the Operator's flags for v2.55 and v3.x");

    assertEquals(65534L, spec.getSecurityContext().getRunAsUser(), "the image's user");
    assertEquals(65534L, spec.getSecurityContext().getFsGroup());
    var requests = spec.getResources().getRequests();
    var limits = spec.getResources().getLimits();
    assertTrue(limits.get("memory").getNumericalAmount().compareTo(requests.get("memory").getNumericalAmount()) >= 0);
    assertTrue(spec.getContainers().stream().anyMatch(c -> c.getName().equals("prometheus")),
        "JVM options patch the Operator's prometheus container");
    for (String f : spec.getEnableFeatures()) {
      assertTrue(FeatureFlags.KNOWN.contains(f), f);
    }

    // The flags the Operator derives from these fields parse and validate in Kiln's CLI.
    List<String> args = new ArrayList<>(List.of("--storage.tsdb.retention.time=" + spec.getRetention(),
        "--storage.tsdb.retention.size=" + spec.getRetentionSize(),
        "--web.page-title=" + spec.getWeb().getPageTitle(),
        "--web.max-connections=" + spec.getWeb().getMaxConnections()));
    args.add(Boolean.TRUE.equals(spec.getWalCompression()) ? "--storage.tsdb.wal-compression" : "--no-storage.tsdb.wal-compression");
    if (Boolean.TRUE.equals(spec.getEnableOTLPReceiver())) {
      args.add("--web.enable-otlp-receiver");
    }
    if (!spec.getEnableFeatures().isEmpty()) {
      args.add("--enable-feature=" + String.join(",", spec.getEnableFeatures()));
    }
    Main main = new Main();
    Main.commandLine(main).parseArgs(args.toArray(String[]::new));
    KilnOptions opts = main.options();
    assertEquals(15 * DAY_MS, opts.retentionMillis());
    assertEquals(40L << 30, opts.retentionBytes());
    assertEquals("Kiln", opts.web().pageTitle());
    assertEquals(512, opts.web().maxConnections());
    assertEquals(Boolean.TRUE.equals(spec.getEnableOTLPReceiver()), main.otlpReceiverEnabled());
  }

  @Test
  void helmValuesTeamsAlertIsAValidPrometheusRule() throws Exception {
    JsonNode rulesMap = helmValues().at("/additionalPrometheusRulesMap");
    assertTrue(rulesMap.size() > 0);
    boolean cpuAlert = false;
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) rulesMap::fields) {
      PrometheusRuleSpec spec = reader.strict(e.getValue(), PrometheusRuleSpec.class, "additionalPrometheusRulesMap." + e.getKey());
      String asFile = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(e.getValue());
      var groups = ruleParser().parse(e.getKey(), asFile, 30_000, 0);
      assertEquals(spec.getGroups().size(), groups.size());
      cpuAlert |= spec.getGroups().stream().flatMap(g -> g.getRules().stream())
          .anyMatch(r -> r.getAlert() != null && r.getExpr().getStrVal().contains("node_cpu_seconds_total") && "5m".equals(r.getFor()));
    }
    assertTrue(cpuAlert, "a CPU alert that fires after 5 minutes");
    JsonNode teams = helmValues().at("/alertmanager/config/receivers");
    assertTrue(teams.findValues("msteamsv2_configs").size() == 1);
  }

  // ---- container image ----

  @Test
  void imageRunsKilnWithThePrometheusImageDefaults() throws Exception {
    DockerfileInstructions all = DockerfileInstructions.parse(Files.readString(ROOT.resolve("deploy/Dockerfile")));
    List<String> froms = all.args("FROM");
    assertEquals(2, froms.size(), "build and runtime stages");
    assertTrue(froms.get(0).matches("maven:[\\d.]+-eclipse-temurin-17 AS build"), froms.get(0));
    assertTrue(froms.get(1).matches("eclipse-temurin:(17|21|25)-jre"), froms.get(1));
    DockerfileInstructions run = all.lastStage();
    assertEquals("65534:65534", run.only("USER"));
    assertEquals("9090", run.only("EXPOSE"));
    assertEquals(List.of("/prometheus"), run.execForm("VOLUME"));

    // CMD: Prometheus's image defaults, validated by Kiln's CLI with the file the image copies in.
    List<String> cmd = run.execForm("CMD");
    assertEquals(List.of("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"), cmd);
    Path configSource = ROOT.resolve(copySource(run, "/etc/prometheus/prometheus.yml"));
    Main main = new Main();
    Main.commandLine(main).parseArgs(cmd.stream()
        .map(a -> a.startsWith("--config.file=") ? "--config.file=" + configSource : a).toArray(String[]::new));
    KilnOptions opts = main.options();
    assertEquals(Path.of("/prometheus"), opts.dataPath());
    assertEquals(9090, opts.listenPort());

    // ENTRYPOINT: the launcher's java command line, with the launcher's default JVM options and malloc arenas.
    String launcher = Files.readString(ROOT.resolve("kiln"));
    Matcher defaults = Pattern.compile(": \"\\$\\{KILN_JAVA_OPTS:=([^}]*)}\"").matcher(launcher);
    assertTrue(defaults.find());
    Matcher arenas = Pattern.compile("export MALLOC_ARENA_MAX=\"\\$\\{MALLOC_ARENA_MAX:-(\\d+)}\"").matcher(launcher);
    assertTrue(arenas.find(), "the launcher sets MALLOC_ARENA_MAX");
    assertEquals("KILN_JAVA_OPTS=\"" + defaults.group(1) + "\" MALLOC_ARENA_MAX=" + arenas.group(1),
        run.only("ENV").replaceAll("\\s+", " "));
    Matcher exec = Pattern.compile("exec (java \\$KILN_JAVA_OPTS .*) -jar \"\\$jar\" \"\\$@\"").matcher(launcher);
    assertTrue(exec.find());
    List<String> entry = run.execForm("ENTRYPOINT");
    String jar = copyDestination(run, "--from=build /kiln.jar");
    // The launcher adds Java 17's incubator foreign-memory module only when its java lists it; the image's JRE is not
    // checked for it, so the image runs without (docs/operations.md, "Giving memory back after queries").
    String launcherJava = exec.group(1).replace(" $modules", "");
    assertEquals(List.of("/bin/sh", "-c", "exec " + launcherJava + " -jar " + jar + " \"$@\"", "kiln"), entry);
    assertTrue(all.args("RUN").stream().anyMatch(r -> r.contains("cp server/target/server-0.1.0-SNAPSHOT-all.jar /kiln.jar")));
  }

  @Test
  void everyFileTheImageCopiesIsInTheBuildContext() throws IOException {
    DockerfileInstructions all = DockerfileInstructions.parse(Files.readString(ROOT.resolve("deploy/Dockerfile")));
    List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    var fs = ROOT.getFileSystem();
    int copied = 0;
    for (String copy : all.args("COPY")) {
      if (copy.startsWith("--from=")) {
        continue;
      }
      String[] w = copy.split("\\s+");
      for (int i = 0; i < w.length - 1; i++) {
        Path src = Path.of(w[i].replaceAll("/$", ""));
        assertTrue(Files.exists(ROOT.resolve(src)), "COPY source " + src);
        for (String pattern : ignored) {
          for (Path p = src; p != null; p = p.getParent()) {   // an excluded directory excludes its files
            assertFalse(fs.getPathMatcher("glob:" + pattern).matches(p), src + " is excluded by .dockerignore " + pattern);
          }
        }
        copied++;
      }
    }
    assertTrue(copied >= 6, "the POMs, the module sources and the default config");
    assertTrue(fs.getPathMatcher("glob:**/target").matches(Path.of("server/target")), "build output stays out");
  }

  // ---- helpers ----

  private List<HasMetadata> manifests() throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("deploy/kubernetes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode doc : reader.documents(Files.readString(f))) {
          out.add(reader.resource(doc));
        }
      }
    }
    return out;
  }

  private JsonNode helmValues() throws IOException {
    List<JsonNode> docs = reader.documents(Files.readString(ROOT.resolve("deploy/helm/kube-prometheus-stack-values.yaml")));
    assertEquals(1, docs.size());
    return docs.get(0);
  }

  /**
   * kube-prometheus-stack's prometheusSpec values as the chart renders them into the Prometheus
   * resource: image parts joined, storageSpec renamed, chart-only selector switches dropped.
   */
  private ObjectNode operatorSpec(JsonNode chart) {
    ObjectNode spec = reader.copy(chart);
    JsonNode image = spec.remove("image");
    String sha = image.path("sha").asText("");
    spec.put("image", image.path("registry").asText() + "/" + image.path("repository").asText() + ":"
        + image.path("tag").asText() + (sha.isEmpty() ? "" : "@sha256:" + sha));
    JsonNode storage = spec.remove("storageSpec");
    if (storage != null) {
      spec.set("storage", storage);
    }
    for (String chartOnly : List.of("serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues",
        "ruleSelectorNilUsesHelmValues", "probeSelectorNilUsesHelmValues", "scrapeConfigSelectorNilUsesHelmValues")) {
      spec.remove(chartOnly);
    }
    return spec;
  }

  private PrometheusConfig clusterConfig(List<HasMetadata> all) {
    ConfigMap cm = configMap(all, "kiln-config");
    return ConfigLoader.parse("kiln-config", cm.getData().get("prometheus.yml"), tmp);
  }

  /** One RBAC permission: API group, resource (or resource/subresource), verb. */
  record Permission(String group, String resource, String verb) {}

  /**
   * What Kubernetes discovery lists and watches for each role, as in Prometheus's
   * discovery/kubernetes: the role's own objects, services and pods for endpoints and endpoint
   * slices, and the objects attach_metadata adds; nodes/metrics for scraping kubelets found by the
   * node role.
   */
  static Set<Permission> permissionsNeeded(PrometheusConfig config) {
    List<KubernetesSdConfig> sds = new ArrayList<>();
    boolean nodeScrapes = false;
    for (ScrapeConfig sc : config.scrapeConfigs()) {
      sds.addAll(sc.kubernetesSdConfigs());
      nodeScrapes |= sc.kubernetesSdConfigs().stream().anyMatch(k -> k.role() == KubernetesSdConfig.Role.NODE);
    }
    for (AlertmanagerConfig am : config.alerting().alertmanagers()) {
      sds.addAll(am.kubernetesSdConfigs());
    }
    Set<Permission> out = new LinkedHashSet<>();
    for (KubernetesSdConfig k : sds) {
      List<String[]> res = new ArrayList<>();
      switch (k.role()) {
        case NODE -> res.add(new String[] {"", "nodes"});
        case POD -> res.add(new String[] {"", "pods"});
        case SERVICE -> res.add(new String[] {"", "services"});
        case INGRESS -> res.add(new String[] {"networking.k8s.io", "ingresses"});
        case ENDPOINTS -> res.addAll(List.of(new String[] {"", "endpoints"}, new String[] {"", "services"}, new String[] {"", "pods"}));
        case ENDPOINTSLICE -> res.addAll(List.of(new String[] {"discovery.k8s.io", "endpointslices"},
            new String[] {"", "services"}, new String[] {"", "pods"}));
      }
      boolean pods = res.stream().anyMatch(r -> r[1].equals("pods"));
      if (k.attachMetadata().node() && pods) {
        res.add(new String[] {"", "nodes"});
      }
      if (k.attachMetadata().namespace() && k.role() != KubernetesSdConfig.Role.NODE) {
        res.add(new String[] {"", "namespaces"});
      }
      if (k.attachMetadata().deployment() && pods) {
        res.add(new String[] {"apps", "replicasets"});
      }
      if (k.attachMetadata().cronjob() && pods) {
        res.add(new String[] {"batch", "jobs"});
      }
      for (String[] r : res) {
        for (String verb : List.of("get", "list", "watch")) {
          out.add(new Permission(r[0], r[1], verb));
        }
      }
    }
    if (nodeScrapes) {
      out.add(new Permission("", "nodes/metrics", "get"));
    }
    return out;
  }

  static Set<Permission> missing(ClusterRole role, Set<Permission> needed) {
    Set<Permission> out = new LinkedHashSet<>();
    for (Permission p : needed) {
      boolean granted = role.getRules().stream().anyMatch(r -> grants(r, p));
      if (!granted) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean grants(PolicyRule r, Permission p) {
    return r.getResourceNames().isEmpty()
        && (r.getApiGroups().contains(p.group()) || r.getApiGroups().contains("*"))
        && (r.getResources().contains(p.resource()) || r.getResources().contains("*"))
        && (r.getVerbs().contains(p.verb()) || r.getVerbs().contains("*"));
  }

  private static RuleFileParser ruleParser() {
    InMemoryStorage empty = new InMemoryStorage();
    Engine engine = new Engine(EngineOptions.DEFAULTS);
    return new RuleFileParser(expr -> engine.instantQuery(empty, QueryOptions.DEFAULTS, expr, 0).close());
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> all, Class<T> kind) {
    List<T> found = all.stream().filter(kind::isInstance).map(kind::cast).toList();
    assertEquals(1, found.size(), kind.getSimpleName());
    return found.get(0);
  }

  private static ConfigMap configMap(List<HasMetadata> all, String name) {
    return all.stream().filter(r -> r instanceof ConfigMap && r.getMetadata().getName().equals(name))
        .map(ConfigMap.class::cast).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name));
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** The mount that holds {@code path}. */
  private static VolumeMount mountOf(Container c, String path) {
    return c.getVolumeMounts().stream().filter(m -> Path.of(path).startsWith(m.getMountPath()))
        .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
  }

  private static String flag(List<String> args, String name) {
    List<String> values = args.stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1)).toList();
    assertEquals(1, values.size(), name);
    return values.get(0);
  }

  /** The source of the COPY that writes {@code dest}. */
  private static String copySource(DockerfileInstructions stage, String dest) {
    for (String copy : stage.args("COPY")) {
      String[] w = copy.split("\\s+");
      if (w.length == 2 && w[1].equals(dest)) {
        return w[0];
      }
    }
    throw new AssertionError("nothing copied to " + dest);
  }

  /** The destination of the COPY whose sources are {@code source}. */
  private static String copyDestination(DockerfileInstructions stage, String source) {
    for (String copy : stage.args("COPY")) {
      if (copy.startsWith(source + " ")) {
        return copy.substring(source.length()).strip();
      }
    }
    throw new AssertionError("no COPY " + source);
  }

  private static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    return Files.isDirectory(p.resolve("deploy")) ? p : p.getParent();
  }
}
