package dev.kiln.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A web config file edited while Kiln runs: new users apply, a broken file answers 500 until fixed. */
class WebSecurityReloadTest {
  @TempDir Path dir;
  private int generation;

  private void write(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(++generation)));
  }

  private static Request as(String user, String pass) {
    String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    return new Request("GET", "/api/v1/query", Map.of(), Map.of("authorization", auth), new byte[0]);
  }

  private static int status(WebSecurity s, Request r) {
    return s.handle(r, x -> Response.text(200, "ok")).status();
  }

  @Test
  void editsApplyWithoutRestartAndABrokenFileFailsClosed() throws Exception {
    Path web = dir.resolve("web.yml");
    String alice = BCrypt.withDefaults().hashToString(4, "a".toCharArray());
    String bob = BCrypt.withDefaults().hashToString(4, "b".toCharArray());
    write(web, "basic_auth_users: {alice: " + alice + "}\nhttp_server_config: {headers: {X-Frame-Options: deny}}\n");
    WebSecurity s = new WebSecurity(web);
    assertNull(s.newSslHandler(io.netty.buffer.ByteBufAllocator.DEFAULT), "no TLS fields: plain HTTP");
    assertEquals(200, status(s, as("alice", "a")));
    assertEquals(401, status(s, as("bob", "b")));
    Response ok = s.handle(as("alice", "a"), x -> Response.text(200, "ok"));
    assertEquals("deny", ok.headers().get("X-Frame-Options"));

    write(web, "basic_auth_users: {alice: " + alice + ", bob: " + bob + "}\n");
    assertEquals(200, status(s, as("bob", "b")), "a user added to the file is accepted at once");

    write(web, "basic_auth_users: {alice: not-a-hash}\n");
    assertEquals(500, status(s, as("alice", "a")), "an invalid file fails requests, it does not open the door");
    write(web, "basic_auth_users: {alice: " + alice + "}\n");
    assertEquals(200, status(s, as("alice", "a")));
    assertEquals(401, status(s, as("bob", "b")), "a removed user is refused");
  }

  @Test
  void anInvalidFileAtStartUpIsAnError() throws Exception {
    Path web = dir.resolve("web.yml");
    write(web, "tls_server_config: {cert_file: missing.crt, key_file: missing.key}\n");
    assertThrows(WebConfigException.class, () -> new WebSecurity(web));
    assertThrows(WebConfigException.class, () -> new WebSecurity(dir.resolve("absent.yml")));
  }
}
