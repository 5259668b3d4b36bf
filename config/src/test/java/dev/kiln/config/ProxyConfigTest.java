package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
  private static HttpClientConfig parse(String yaml) {
    return ConfigLoader.parse("test", "scrape_configs:\n  - job_name: x\n" + yaml, Path.of(".")).scrapeConfigs().get(0)
        .http();
  }

  @Test
  void noProxyRulesExemptHostsAndDomainSuffixes() {
    HttpClientConfig cfg = parse("    proxy_url: http://127.0.0.1:3128\n    no_proxy: localhost,.internal\n");
    assertEquals(URI.create("http://127.0.0.1:3128"), cfg.proxy().url());
    assertTrue(ProxyConfig.exempted("db.internal", cfg.proxy().noProxy()));
    assertTrue(ProxyConfig.exempted("localhost", cfg.proxy().noProxy()));
    assertFalse(ProxyConfig.exempted("exporter.example.test", cfg.proxy().noProxy()));
  }

  @Test
  void noProxyWithoutProxyUrlIsRejected() {
    assertThrows(ConfigException.class, () -> parse("    no_proxy: localhost\n"));
  }
}
