package dev.kiln.scraper.discovery.kubernetes;

import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;

/**
 * Where Kubernetes discovery finds in-cluster settings and how it identifies itself; tests build
 * their own instead of touching the process environment.
 *
 * @param env environment variable lookup ({@code KUBERNETES_SERVICE_HOST}, {@code KUBERNETES_SERVICE_PORT})
 * @param serviceAccountDir directory with {@code token}, {@code ca.crt} and {@code namespace}
 * @param tokenMaxAgeMillis how long an in-cluster token read from disk is used before re-reading it
 * @param minBackoffMillis first retry delay after an API error (doubles up to 30 s)
 * @param coalesceMillis minimum time between two updates handed to the scrape manager
 */
public record KubeEnvironment(
    Function<String, String> env,
    Path serviceAccountDir,
    Clock clock,
    String userAgent,
    long tokenMaxAgeMillis,
    long minBackoffMillis,
    long coalesceMillis) {

  public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  /** The real process environment, Prometheus's timings (token re-read every minute, updates at most every 5 s). */
  public static KubeEnvironment system(String userAgent) {
    return new KubeEnvironment(System::getenv, SERVICE_ACCOUNT_DIR, Clock.systemUTC(), userAgent, 60_000,
        Informer.MIN_BACKOFF_MILLIS, 5_000);
  }

  /** The same environment with another minimum interval between updates. */
  public KubeEnvironment withCoalesceMillis(long millis) {
    return new KubeEnvironment(env, serviceAccountDir, clock, userAgent, tokenMaxAgeMillis, minBackoffMillis, millis);
  }
}
