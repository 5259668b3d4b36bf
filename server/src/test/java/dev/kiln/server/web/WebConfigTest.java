package dev.kiln.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Web config parsing and validation with exporter-toolkit's rules and messages. */
class WebConfigTest {
  @TempDir Path dir;

  private static String msg(String yaml) {
    return assertThrows(WebConfigException.class, () -> WebConfig.parse("web.yml", yaml, Path.of("/etc"))).getMessage();
  }

  @Test
  void headersAreLimitedToTheAllowedSetAndValues() {
    WebConfig ok = WebConfig.parse("web.yml", """
        http_server_config:
          headers: {X-Frame-Options: sameorigin, X-Content-Type-Options: nosniff, Content-Security-Policy: "default-src 'self'"}
        """, null);
    assertEquals("sameorigin", ok.headers().get("X-Frame-Options"));
    assertEquals("HTTP header \"Server\" can not be configured", msg("http_server_config: {headers: {Server: kiln}}"));
    assertEquals("invalid value for X-Frame-Options. Expected one of: [\"deny\", \"sameorigin\"], but got: \"allow\"",
        msg("http_server_config: {headers: {X-Frame-Options: allow}}"));
    assertEquals("invalid value for X-Content-Type-Options. Expected one of: [\"nosniff\"], but got: \"x\"",
        msg("http_server_config: {headers: {X-Content-Type-Options: x}}"));
  }

  @Test
  void unknownFieldsAndBadValuesAreErrors() {
    assertTrue(msg("tls_server_config: {cert_file: a, key_file: b, min_verison: TLS12}").contains("field min_verison not found"));
    assertTrue(msg("tls_server_config: {min_version: TLS14}").contains("unknown TLS version: TLS14"));
    assertTrue(msg("tls_server_config: {cipher_suites: [TLS_FOO]}").contains("unknown cipher: TLS_FOO"));
    assertTrue(msg("tls_server_config: {curve_preferences: [P-999]}").contains("unknown curve: P-999"));
    assertTrue(msg("basic_users: {}").contains("field basic_users not found"));
  }

  @Test
  void badHashesFailWithGoMessages() {
    assertEquals("crypto/bcrypt: hashedSecret too short to be a bcrypted password", msg("basic_auth_users: {a: secret}"));
    assertEquals("crypto/bcrypt: cost 3 is outside allowed inclusive range 4..31",
        msg("basic_auth_users: {a: \"$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"}"));
    assertTrue(msg("basic_auth_users: {a: \"x2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"}")
        .contains("must start with '$'"));
  }

  @Test
  void tlsPolicyRulesOfConfigToTlsConfig() throws Exception {
    Path web = dir.resolve("web.yml");
    Files.writeString(web, "tls_server_config: {key_file: k}\n");
    assertEquals("missing one of cert or cert_file", assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage());
    Files.writeString(web, "tls_server_config: {cert_file: c, key_file: k, client_ca_file: ca}\n");
    assertEquals("client CA's have been configured without a Client Auth Policy",
        assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage());
    Files.writeString(web, "tls_server_config: {cert_file: c, key_file: k, client_auth_type: VerifyClientCertIfGiven, client_allowed_sans: [a]}\n");
    assertTrue(assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage()
        .startsWith("client_allowed_sans requires client_auth_type"));
    Files.writeString(web, "tls_server_config: {cert_file: c, key_file: k, client_auth_type: Sometimes}\n");
    assertEquals("invalid ClientAuth: Sometimes", assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage());
    Files.writeString(web, "tls_server_config: {cert_file: missing.crt, key_file: k}\n");
    assertTrue(assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage()
        .startsWith("failed to read cert_file (" + dir.resolve("missing.crt")));
    TestCerts certs = new TestCerts(dir, "t");
    Path[] s = certs.issue("s", "127.0.0.1");
    Files.writeString(web, "tls_server_config: {cert_file: s.crt, key_file: t-ca.pem}\n");
    assertTrue(assertThrows(WebConfigException.class, () -> WebConfig.load(web)).getMessage().startsWith("failed to load X509KeyPair"));
    Files.writeString(web, "tls_server_config: {cert_file: s.crt, key_file: s.key, min_version: TLS13}\n");
    WebConfig c = WebConfig.load(web);
    assertEquals(java.util.List.of("TLSv1.3"), c.tls().protocols());
    assertEquals(s[0], c.tls().certFile());
  }

  @Test
  void goHashesVerifyAndResultsAreCached() {
    // exporter-toolkit's own $2y$ hash of "fakepassword".
    assertTrue(Bcrypt.matches("fakepassword", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
    assertFalse(Bcrypt.matches("fakepasswore", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
    Map<String, String> users = Map.of("alice", BCrypt.withDefaults().hashToString(4, "pw".toCharArray()));
    BasicAuthenticator auth = new BasicAuthenticator();
    String good = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
    String bad = "basic " + Base64.getEncoder().encodeToString("alice:px".getBytes(StandardCharsets.UTF_8));
    String unknown = "Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));
    assertTrue(auth.authenticate(good, users));
    assertTrue(auth.authenticate(good, users));
    assertEquals(1, auth.comparisons(), "a verified pair is cached");
    assertFalse(auth.authenticate(bad, users));
    assertFalse(auth.authenticate(bad, users));
    assertEquals(2, auth.comparisons(), "a failed pair is cached too");
    assertFalse(auth.authenticate(unknown, users));
    assertEquals(3, auth.comparisons(), "an unknown user still costs one bcrypt comparison");
    assertFalse(auth.authenticate(null, users));
    assertFalse(auth.authenticate("Bearer x", users));
    assertFalse(auth.authenticate("Basic !!!", users));
    Map<String, String> rotated = Map.of("alice", BCrypt.withDefaults().hashToString(4, "new".toCharArray()));
    assertFalse(auth.authenticate(good, rotated), "a changed hash is checked anew, not served from the cache");
  }

  @Test
  void rateLimiterIsATokenBucket() {
    RateLimiter rl = new RateLimiter(1000, 2, 0);
    assertTrue(rl.allow(0));
    assertTrue(rl.allow(0));
    assertFalse(rl.allow(0));
    assertFalse(rl.allow(999_000_000L));
    assertTrue(rl.allow(1_000_000_000L));
  }
}
