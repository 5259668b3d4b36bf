package dev.kiln.server.otlp;

import com.google.protobuf.ByteString;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns the exemplars of an OTLP data point into Prometheus exemplars, as Prometheus 3.5's
 * {@code getPromExemplars} ({@code otlptranslator/prometheusremotewrite/helper.go}) does:
 *
 * <ul>
 *   <li>the value is the integer or double value; an exemplar with neither is an error
 *       ({@code unsupported exemplar value type: Empty}) that ends the metric's translation;
 *   <li>the timestamp goes from ns to ms; 0 means the exemplar has none;
 *   <li>a trace id and a span id that are not all zero bytes become the labels {@code trace_id}
 *       and {@code span_id}, in lowercase hex;
 *   <li>the filtered attributes become labels under their own keys (not escaped) with their values
 *       rendered as {@link AttributeValues#asString}, but only when all labels together stay within
 *       {@value Exemplar#MAX_LABEL_SET_RUNES} runes; otherwise the exemplar keeps only its trace and
 *       span ids.
 * </ul>
 *
 * Kiln's label sets hold each name once and no empty names or values: an attribute named
 * {@code trace_id} or {@code span_id} replaces the id's label, and attributes with an empty key or
 * value are left out.
 *
 * Stateless.
 */
final class OtlpExemplars {
  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";

  private OtlpExemplars() {}

  static List<Exemplar> convert(List<io.opentelemetry.proto.metrics.v1.Exemplar> in) throws InvalidExemplarException {
    if (in.isEmpty()) {
      return List.of();
    }
    List<Exemplar> out = new ArrayList<>(in.size());
    for (io.opentelemetry.proto.metrics.v1.Exemplar e : in) {
      double v = switch (e.getValueCase()) {
        case AS_INT -> e.getAsInt();
        case AS_DOUBLE -> e.getAsDouble();
        default -> throw new InvalidExemplarException("unsupported exemplar value type: Empty");
      };
      long t = Math.floorDiv(e.getTimeUnixNano(), 1_000_000L);
      Labels.Builder b = Labels.builder();
      int runes = 0;
      if (!allZero(e.getTraceId())) {
        String hex = HexFormat.of().formatHex(e.getTraceId().toByteArray());
        runes += TRACE_ID.length() + hex.length();
        b.set(TRACE_ID, hex);
      }
      if (!allZero(e.getSpanId())) {
        String hex = HexFormat.of().formatHex(e.getSpanId().toByteArray());
        runes += SPAN_ID.length() + hex.length();
        b.set(SPAN_ID, hex);
      }
      List<String[]> attrs = new ArrayList<>(e.getFilteredAttributesCount());
      for (KeyValue kv : e.getFilteredAttributesList()) {
        String value = AttributeValues.asString(kv.getValue());
        runes += runes(kv.getKey()) + runes(value);
        attrs.add(new String[] {kv.getKey(), value});
      }
      if (runes <= Exemplar.MAX_LABEL_SET_RUNES) {
        for (String[] a : attrs) {
          if (!a[0].isEmpty()) {
            b.set(a[0], a[1]);
          }
        }
      }
      out.add(new Exemplar(b.build(), v, t, t != 0));
    }
    return out;
  }

  private static int runes(String s) {
    return s.codePointCount(0, s.length());
  }

  /** pdata's {@code TraceID.IsEmpty}/{@code SpanID.IsEmpty}: no bytes, or all of them zero. */
  private static boolean allZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
