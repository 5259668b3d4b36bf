package dev.kiln.server.http;

import dev.kiln.server.json.JsonOut;
import java.util.List;

/** The Prometheus API envelope: success with data, or error with type and message. */
public final class ApiResponses {
  private ApiResponses() {}

  /** Writes {@code {"status":"success","data":...}} with the data written by {@code data}. */
  public static Response success(java.util.function.Consumer<JsonOut> data, List<String> warnings, List<String> infos) {
    JsonOut out = new JsonOut();
    out.beginObject().name("status").value("success").name("data");
    data.accept(out);
    annotations(out, "warnings", warnings, "warning");
    annotations(out, "infos", infos, "info");
    out.endObject();
    return Response.json(200, out.toBytes());
  }

  public static Response success(java.util.function.Consumer<JsonOut> data) {
    return success(data, List.of(), List.of());
  }

  private static void annotations(JsonOut out, String field, List<String> items, String kind) {
    if (items.isEmpty()) {
      return;
    }
    out.name(field).beginArray();
    int n = Math.min(10, items.size());
    for (int i = 0; i < n; i++) {
      out.value(items.get(i));
    }
    if (items.size() > 10) {
      out.value((items.size() - 10) + " more " + kind + " annotations omitted");
    }
    out.endArray();
  }

  public static Response error(String errorType, int status, String message) {
    JsonOut out = new JsonOut();
    out.beginObject().name("status").value("error").name("errorType").value(errorType).name("error").value(message).endObject();
    return Response.json(status, out.toBytes());
  }
}
