package dev.kiln.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class SecretRedactorTest {
  @Test
  void secretsAreHidden() {
    String yaml = """
        scrape_configs:
          - job_name: app
            basic_auth:
              username: scraper
              password: hunter2
            authorization:
              credentials: "abc def"
            tls_config: {cert_file: c.pem, key: inline-key-text}
        """;
    String out = SecretRedactor.redact(yaml);
    assertFalse(out.contains("hunter2"));
    assertFalse(out.contains("abc def"));
    assertFalse(out.contains("inline-key-text"));
    assertEquals(3, out.split("<secret>", -1).length - 1);
    assertEquals(true, out.contains("username: scraper"), "non-secret fields stay");
  }
}
