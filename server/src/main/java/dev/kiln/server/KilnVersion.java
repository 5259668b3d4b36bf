package dev.kiln.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Build information of this Kiln binary, read from the {@code kiln-version.properties} resource. */
public final class KilnVersion implements IVersionProvider {
  private static final Properties PROPS = load();

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = KilnVersion.class.getResourceAsStream("/kiln-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** The Kiln version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return PROPS.getProperty("version", "unknown");
  }

  /**
   * The version reported by {@code /api/v1/status/buildinfo}. Grafana decides which Prometheus
   * features it may use from this number, so Kiln reports the Prometheus release whose API it
   * implements; Kiln's own release is reported as the revision.
   */
  public static String prometheusCompatibleVersion() {
    return "3.5.0";
  }

  /** Kiln's release as the build-info revision, e.g. {@code kiln-0.1.0-SNAPSHOT}. */
  public static String revision() {
    return "kiln-" + version();
  }

  /** Build date as Prometheus formats it, e.g. {@code 20261124-07:30:00}. */
  public static String buildDate() {
    return PROPS.getProperty("buildDate", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "kiln, version " + version(),
      "  java:             " + System.getProperty("java.version"),
    };
  }
}
