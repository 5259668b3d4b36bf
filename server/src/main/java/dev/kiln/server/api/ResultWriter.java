package dev.kiln.server.api;

import dev.kiln.promql.Matrix;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.StringValue;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.server.json.GoFloat;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.Labels;

/** Encodes PromQL results in the API's JSON shapes. */
public final class ResultWriter {
  private ResultWriter() {}

  public static void labels(JsonOut out, Labels l) {
    out.beginObject();
    for (int i = 0; i < l.size(); i++) {
      out.name(l.name(i)).value(l.value(i));
    }
    out.endObject();
  }

  /**
   * Writes {@code {"resultType":..., "result":...}}; vector samples carry the evaluation time.
   *
   * @param limit most series to write, 0 for all
   */
  public static boolean write(JsonOut out, Value v, long evalTime, int limit) {
    out.beginObject().name("resultType").value(v.typeName()).name("result");
    boolean truncated = false;
    if (v instanceof Vector vec) {
      out.beginArray();
      int n = 0;
      for (Sample s : vec.samples()) {
        if (limit > 0 && n++ >= limit) {
          truncated = true;
          break;
        }
        out.beginObject().name("metric");
        labels(out, s.labels());
        out.name("value").samplePair(evalTime, s.value()).endObject();
      }
      out.endArray();
    } else if (v instanceof Matrix m) {
      out.beginArray();
      int n = 0;
      for (RangeSeries s : m.series()) {
        if (limit > 0 && n++ >= limit) {
          truncated = true;
          break;
        }
        out.beginObject().name("metric");
        labels(out, s.labels());
        out.name("values").beginArray();
        for (int i = 0; i < s.count(); i++) {
          out.samplePair(s.timestampAt(i), s.valueAt(i));
        }
        out.endArray().endObject();
      }
      out.endArray();
    } else if (v instanceof Scalar s) {
      out.beginArray().shortTimestamp(s.timestampMillis()).value(GoFloat.plain(s.value())).endArray();
    } else if (v instanceof StringValue s) {
      out.beginArray().shortTimestamp(s.timestampMillis()).value(s.value()).endArray();
    }
    out.endObject();
    return truncated;
  }
}
