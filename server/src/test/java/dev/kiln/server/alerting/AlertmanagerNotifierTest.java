package dev.kiln.server.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.config.ConfigLoader;
import dev.kiln.scraper.Peer;
import dev.kiln.server.rules.AlertSnapshot;
import dev.kiln.server.rules.AlertState;
import dev.kiln.tsdb.model.Labels;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends alerts through the real Alertmanager to a webhook receiver and checks what arrives. */
class AlertmanagerNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void firingAndResolvedArriveThroughAlertmanager() throws Exception {
    LinkedBlockingQueue<JsonNode> hooks = new LinkedBlockingQueue<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/hook", ex -> {
      hooks.add(JSON.readTree(ex.getRequestBody()));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    Path amConfig = dir.resolve("am.yml");
    Files.writeString(amConfig, """
        route:
          receiver: hook
          group_by: [alertname]
          group_wait: 100ms
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hook
            webhook_configs:
              - url: http://127.0.0.1:%d/hook
                send_resolved: true
        """.formatted(hook.getAddress().getPort()));
    try (Peer am = Peer.start("prometheus-alertmanager", "/-/ready", "--config.file=" + amConfig,
            "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=");
        AlertmanagerNotifier notifier = new AlertmanagerNotifier(Labels.of("cluster", "c1"), "http://kiln:9090", "Kiln/test")) {
      notifier.apply(ConfigLoader.parse("p.yml", """
          alerting:
            alert_relabel_configs:
              - target_label: via
                replacement: kiln
            alertmanagers:
              - static_configs: [{targets: ['%s']}]
          """.formatted(am.address()), dir).alerting());
      long now = System.currentTimeMillis();
      Labels labels = Labels.of("alertname", "HostCpuHigh", "instance", "a", "severity", "warning");
      AlertSnapshot firing = new AlertSnapshot(labels, Labels.of("summary", "CPU busy on a"), AlertState.FIRING, 0.95,
          now - 300_000, now - 60_000, 0, now + 240_000, 0);
      notifier.send("cpu > 0.9", List.of(firing));
      JsonNode first = hooks.poll(20, TimeUnit.SECONDS);
      assertNotNull(first, "firing notification did not arrive");
      assertEquals("firing", first.get("status").asText());
      JsonNode alert = first.get("alerts").get(0);
      assertEquals("c1", alert.get("labels").get("cluster").asText(), "external labels are added");
      assertEquals("kiln", alert.get("labels").get("via").asText(), "alert_relabel_configs apply");
      assertEquals("CPU busy on a", alert.get("annotations").get("summary").asText());
      assertEquals("http://kiln:9090/graph?g0.expr=cpu+%3E+0.9&g0.tab=1", alert.get("generatorURL").asText());

      AlertSnapshot resolved = new AlertSnapshot(labels, Labels.of("summary", "CPU busy on a"), AlertState.INACTIVE, 0.5,
          now - 300_000, now - 60_000, System.currentTimeMillis(), 0, 0);
      notifier.send("cpu > 0.9", List.of(resolved));
      JsonNode second = null;
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < deadline) {
        JsonNode n = hooks.poll(1, TimeUnit.SECONDS);
        if (n != null && "resolved".equals(n.get("status").asText())) {
          second = n;
          break;
        }
      }
      assertNotNull(second, "resolved notification did not arrive");
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void eachAlertmanagerClientKeepsItsOwnOauth2TokenUntilItsSettingsGo() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] b = ("{\"access_token\":\"t" + issued.incrementAndGet() + "\",\"expires_in\":3600}").getBytes();
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.createContext("/api/v2/alerts", ex -> {
      ex.getRequestBody().readAllBytes();
      received.add(ex.getRequestHeaders().getFirst("Authorization"));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    String address = "127.0.0.1:" + server.getAddress().getPort();
    java.util.function.Function<String, dev.kiln.config.AlertingConfig> alerting = clientId -> ConfigLoader.parse("p.yml", """
        alerting:
          alertmanagers:
            - static_configs: [{targets: ['%s']}]
              oauth2: {client_id: %s, token_url: 'http://%s/token'}
        """.formatted(address, clientId, address), dir).alerting();
    Labels labels = Labels.of("alertname", "X");
    AlertSnapshot firing = new AlertSnapshot(labels, Labels.EMPTY, AlertState.FIRING, 1, 0, 0, 0, Long.MAX_VALUE, 0);
    try (AlertmanagerNotifier notifier = new AlertmanagerNotifier(Labels.EMPTY, "http://kiln:9090", "Kiln/test")) {
      java.util.function.Supplier<String> post = () -> {
        notifier.send("x", List.of(firing));
        try {
          return received.poll(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      };
      notifier.apply(alerting.apply("a"));
      assertEquals("Bearer t1", post.get());
      assertEquals("Bearer t1", post.get(), "the client reuses its token");
      notifier.apply(alerting.apply("b"));
      assertEquals("Bearer t2", post.get(), "other settings, another client and token");
      notifier.apply(alerting.apply("a"));
      assertEquals("Bearer t3", post.get(), "the first client went with its settings");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void encodesThePostableAlertShape() throws Exception {
    byte[] body = AlertmanagerNotifier.encode(List.of(new NotifierAlert(Labels.of("alertname", "X"), Labels.EMPTY,
        1712000000000L, 1712000060500L, "http://k/graph")));
    JsonNode n = JSON.readTree(body).get(0);
    assertEquals("2024-04-01T19:33:20Z", n.get("startsAt").asText());
    assertEquals("2024-04-01T19:34:20.500Z", n.get("endsAt").asText());
    assertEquals("X", n.get("labels").get("alertname").asText());
  }
}
