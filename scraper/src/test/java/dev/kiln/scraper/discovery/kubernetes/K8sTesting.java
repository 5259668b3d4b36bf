package dev.kiln.scraper.discovery.kubernetes;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.TargetGroup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Helpers for Kubernetes discovery tests. */
final class K8sTesting {
  private K8sTesting() {}

  /** Environment without in-cluster settings, fast retries and no coalescing delay. */
  static KubeEnvironment env(Path serviceAccountDir) {
    return new KubeEnvironment(k -> null, serviceAccountDir, Clock.systemUTC(), "Kiln/test", 60_000, 20, 0);
  }

  /** The first kubernetes_sd_config of a one-job prometheus.yml whose SD entry is {@code sdYaml} (indented 6). */
  static KubernetesSdConfig config(String sdYaml, Path baseDir) {
    String yaml = "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n" + sdYaml;
    return ConfigLoader.parse("prometheus.yml", yaml, baseDir).scrapeConfig("k").kubernetesSdConfigs().get(0);
  }

  /** A target as one label map: {@code __address__} plus its own labels, sorted. */
  static List<Map<String, String>> targets(TargetGroup g) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < g.targets().size(); i++) {
      Map<String, String> t = new TreeMap<>(g.labelsOf(i));
      if (!g.targets().get(i).isEmpty()) {
        t.put("__address__", g.targets().get(i));
      }
      out.add(t);
    }
    return out;
  }

  /** A sorted map from alternating names and values. */
  static Map<String, String> labels(String... kv) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Records every list a discoverer hands over. */
  static final class Collector implements Consumer<List<TargetGroup>> {
    final BlockingQueue<List<TargetGroup>> updates = new LinkedBlockingQueue<>();
    private Map<String, TargetGroup> latest = Map.of();

    @Override
    public void accept(List<TargetGroup> groups) {
      updates.add(groups);
    }

    /** Waits (up to 10 s) for an update whose groups by source satisfy {@code p}; returns them. */
    Map<String, TargetGroup> await(Predicate<Map<String, TargetGroup>> p) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        if (p.test(latest)) {
          return latest;
        }
        long left = deadline - System.nanoTime();
        List<TargetGroup> u = left <= 0 ? null : updates.poll(left, TimeUnit.NANOSECONDS);
        if (u == null) {
          fail("no matching update in time; last: " + latest.keySet());
        }
        Map<String, TargetGroup> m = new LinkedHashMap<>();
        for (TargetGroup g : u) {
          m.put(g.source(), g);
        }
        latest = m;
      }
    }

    /** Waits for the update that holds {@code source} with at least one target. */
    TargetGroup awaitGroup(String source) throws InterruptedException {
      return await(m -> m.containsKey(source) && !m.get(source).targets().isEmpty()).get(source);
    }
  }
}
