package dev.kiln.server.api;

import dev.kiln.promql.Matrix;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.StringValue;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.histogram.Bucket;
import dev.kiln.tsdb.histogram.BucketIterator;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
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
   * A native histogram as Prometheus's JSON codec writes it: {@code {"count":"..","sum":"..",
   * "buckets":[[boundaryRule,"lower","upper","count"],...]}}, populated buckets only, in ascending
   * order. The boundary rule is 0 for (l,u], 1 for [l,u), 2 for (l,u) and 3 for [l,u].
   */
  public static void histogram(JsonOut out, FloatHistogram h) {
    out.beginObject()
        .name("count").value(GoFloats.format(h.count, Notation.API_VALUE))
        .name("sum").value(GoFloats.format(h.sum, Notation.API_VALUE));
    BucketIterator it = h.allBucketIterator();
    boolean found = false;
    while (it.next()) {
      Bucket b = it.at();
      if (b.count() == 0) {
        continue;
      }
      if (!found) {
        out.name("buckets").beginArray();
        found = true;
      }
      int rule = b.lowerInclusive() ? (b.upperInclusive() ? 3 : 1) : (b.upperInclusive() ? 0 : 2);
      out.beginArray().value(rule)
          .value(GoFloats.format(b.lower(), Notation.API_VALUE))
          .value(GoFloats.format(b.upper(), Notation.API_VALUE))
          .value(GoFloats.format(b.count(), Notation.API_VALUE))
          .endArray();
    }
    if (found) {
      out.endArray();
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
        if (s.isHistogram()) {
          out.name("histogram").beginArray().timestamp(evalTime);
          histogram(out, s.histogram());
          out.endArray().endObject();
        } else {
          out.name("value").samplePair(evalTime, s.value()).endObject();
        }
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
        if (s.count() > 0) {
          out.name("values").beginArray();
          for (int i = 0; i < s.count(); i++) {
            out.samplePair(s.timestampAt(i), s.valueAt(i));
          }
          out.endArray();
        }
        if (s.histogramCount() > 0) {
          out.name("histograms").beginArray();
          for (int i = 0; i < s.histogramCount(); i++) {
            out.beginArray().timestamp(s.histogramTimestampAt(i));
            histogram(out, s.histogramAt(i));
            out.endArray();
          }
          out.endArray();
        }
        out.endObject();
      }
      out.endArray();
    } else if (v instanceof Scalar s) {
      out.beginArray().shortTimestamp(s.timestampMillis()).value(GoFloats.format(s.value(), Notation.PLAIN)).endArray();
    } else if (v instanceof StringValue s) {
      out.beginArray().shortTimestamp(s.timestampMillis()).value(s.value()).endArray();
    }
    out.endObject();
    return truncated;
  }
}
