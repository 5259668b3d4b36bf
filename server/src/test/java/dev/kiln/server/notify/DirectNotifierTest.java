package dev.kiln.server.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.server.rules.AlertSnapshot;
import dev.kiln.server.rules.AlertState;
import dev.kiln.tsdb.model.Labels;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DirectNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void fingerprintMatchesAlertmanager() {
    GroupAlert a = new GroupAlert(Labels.of("alertname", "HostCpuHigh", "instance", "node7:9100", "severity", "warning"),
        Labels.EMPTY, 0, 0, "", false);
    assertEquals("b6307a3dc88a8c8b", a.fingerprint());
  }

  @Test
  void routesGroupsAndSendsToWebhookSlackAndTeams() throws Exception {
    Map<String, LinkedBlockingQueue<JsonNode>> received = new ConcurrentHashMap<>();
    HttpServer listener = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int[] slackFailures = {1};
    for (String path : List.of("/hook", "/slack", "/teams", "/legacy")) {
      received.put(path, new LinkedBlockingQueue<>());
      listener.createContext(path, ex -> {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        if (path.equals("/slack") && slackFailures[0]-- > 0) {
          ex.sendResponseHeaders(503, -1);
        } else {
          received.get(path).add(body);
          ex.sendResponseHeaders(path.equals("/teams") ? 202 : 200, -1);
        }
        ex.close();
      });
    }
    listener.start();
    String base = "http://127.0.0.1:" + listener.getAddress().getPort();
    NotificationConfig cfg = NotificationConfig.parse("notify.yml", """
        route:
          receiver: hook
          group_by: [alertname]
          group_wait: 0s
          group_interval: 5s
          repeat_interval: 1h
          routes:
            - matchers: ['severity="page"']
              receiver: oncall
        receivers:
          - name: hook
            webhook_configs: [{url: '%1$s/hook'}]
          - name: oncall
            slack_configs: [{api_url: '%1$s/slack', send_resolved: true}]
            msteamsv2_configs: [{webhook_url: '%1$s/teams'}]
            msteams_configs: [{webhook_url: '%1$s/legacy'}]
        """.formatted(base));
    try (DirectNotifier n = new DirectNotifier(cfg, Labels.of("cluster", "eu1"), "http://kiln.example:9090", Clock.systemUTC())) {
      long now = System.currentTimeMillis();
      AlertSnapshot page = new AlertSnapshot(Labels.of("alertname", "HostDown", "instance", "node7:9100", "severity", "page"),
          Labels.of("summary", "node7 is down"), AlertState.FIRING, 0, now - 60_000, now, 0, now + 60_000, 0);
      AlertSnapshot warn = new AlertSnapshot(Labels.of("alertname", "DiskFull", "instance", "node7:9100", "severity", "warning"),
          Labels.of("summary", "disk 95% full"), AlertState.FIRING, 0, now - 60_000, now, 0, now + 60_000, 0);
      n.send("up == 0", List.of(page, warn));

      JsonNode hook = received.get("/hook").poll(30, TimeUnit.SECONDS);
      assertNotNull(hook, "webhook notification");
      assertEquals("4", hook.get("version").asText());
      assertEquals("firing", hook.get("status").asText());
      assertEquals("{}:{alertname=\"DiskFull\"}", hook.get("groupKey").asText());
      assertEquals("eu1", hook.get("commonLabels").get("cluster").asText());
      assertEquals("0001-01-01T00:00:00Z", hook.get("alerts").get(0).get("endsAt").asText());
      assertEquals(16, hook.get("alerts").get(0).get("fingerprint").asText().length());

      JsonNode slack = received.get("/slack").poll(30, TimeUnit.SECONDS);
      assertNotNull(slack, "slack notification after one retried 503");
      assertEquals("[FIRING:1] HostDown", slack.get("text").asText());
      assertEquals("danger", slack.get("attachments").get(0).get("color").asText());
      JsonNode teams = received.get("/teams").poll(30, TimeUnit.SECONDS);
      assertNotNull(teams);
      JsonNode card = teams.get("attachments").get(0).get("content");
      assertEquals("AdaptiveCard", card.get("type").asText());
      assertEquals("[FIRING:1] HostDown", card.get("body").get(0).get("text").asText());
      assertEquals("Attention", card.get("body").get(0).get("color").asText());
      assertEquals("node7 is down", card.get("body").get(1).get("text").asText());
      JsonNode legacy = received.get("/legacy").poll(30, TimeUnit.SECONDS);
      assertEquals("MessageCard", legacy.get("@type").asText());
      assertEquals("8C1A1A", legacy.get("themeColor").asText());

      AlertSnapshot resolved = new AlertSnapshot(page.labels(), page.annotations(), AlertState.INACTIVE, 0, now - 60_000, now,
          System.currentTimeMillis(), 0, 0);
      n.send("up == 0", List.of(resolved));
      JsonNode slackResolved = received.get("/slack").poll(30, TimeUnit.SECONDS);
      assertNotNull(slackResolved, "resolved notification");
      assertEquals("[RESOLVED] HostDown", slackResolved.get("text").asText());
      assertEquals("good", slackResolved.get("attachments").get(0).get("color").asText());
      JsonNode teamsResolved = received.get("/teams").poll(30, TimeUnit.SECONDS);
      assertEquals("Good", teamsResolved.get("attachments").get(0).get("content").get("body").get(0).get("color").asText());
      n.send("up == 0", List.of(resolved));
      assertTrue(received.get("/slack").poll(2, TimeUnit.SECONDS) == null, "a resolved alert is announced once");
    } finally {
      listener.stop(0);
    }
  }
}
