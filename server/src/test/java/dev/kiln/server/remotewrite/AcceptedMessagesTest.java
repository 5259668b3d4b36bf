package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AcceptedMessagesTest {
  private static Request write(String contentType) {
    return new Request("POST", "/api/v1/write", Map.of(), contentType == null ? Map.of() : Map.of("content-type", contentType),
        new byte[0]);
  }

  @Test
  void onlyAcceptedMessagesReachTheReceiver() throws Exception {
    AtomicInteger reached = new AtomicInteger();
    AcceptedMessages v2Only = new AcceptedMessages(r -> {
      reached.incrementAndGet();
      return Response.empty(204);
    }, List.of("io.prometheus.write.v2.Request"));
    Response v1 = v2Only.handle(write("application/x-protobuf"));
    assertEquals(415, v1.status());
    assertEquals("prometheus.WriteRequest protobuf message is not accepted by this server; accepted [io.prometheus.write.v2.Request]\n",
        new String(v1.body(), StandardCharsets.UTF_8));
    assertEquals(415, v2Only.handle(write(null)).status(), "no content type means remote write 1.0");
    assertEquals(0, reached.get());
    assertEquals(204, v2Only.handle(write("application/x-protobuf;proto=io.prometheus.write.v2.Request")).status());
    assertEquals(1, reached.get());
    assertTrue(new AcceptedMessages(r -> Response.empty(204), AcceptedMessages.ALL).handle(write(null)).status() == 204);
    assertThrows(IllegalArgumentException.class, () -> new AcceptedMessages(r -> null, List.of("prometheus.WriteRequestV3")));
  }
}
