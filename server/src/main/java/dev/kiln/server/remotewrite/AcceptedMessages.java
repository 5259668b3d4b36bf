package dev.kiln.server.remotewrite;

import dev.kiln.server.http.Handler;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import java.util.List;
import java.util.Set;

/**
 * {@code --web.remote-write-receiver.accepted-protobuf-messages}: in front of the receiver, a
 * request whose message type is not in the accepted set is answered 415, as Prometheus does;
 * nothing is decoded or written. Thread-safe.
 */
public final class AcceptedMessages implements Handler {
  /** Both messages, Prometheus's default. */
  public static final List<String> ALL = List.of("prometheus.WriteRequest", "io.prometheus.write.v2.Request");

  private final Handler next;
  private final List<String> accepted;

  /** @param accepted message names; fails for names Prometheus does not know */
  public AcceptedMessages(Handler next, List<String> accepted) {
    for (String m : accepted) {
      if (!ALL.contains(m)) {
        throw new IllegalArgumentException("unknown remote write protobuf message " + m + "; known: " + ALL);
      }
    }
    this.next = next;
    this.accepted = List.copyOf(Set.copyOf(accepted).stream().sorted().toList());
  }

  @Override
  public Response handle(Request r) throws Exception {
    RemoteWriteHandler.Protocol p = RemoteWriteHandler.Protocol.of(r.header("content-type"));
    if (p != null) {
      String name = p == RemoteWriteHandler.Protocol.V1 ? ALL.get(0) : ALL.get(1);
      if (!accepted.contains(name)) {
        return Response.text(415, name + " protobuf message is not accepted by this server; accepted " + accepted + "\n");
      }
    }
    return next.handle(r);
  }
}
