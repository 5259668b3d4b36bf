package dev.kiln.server.otlp;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders an OTLP attribute value as a label value, as the OpenTelemetry Collector's
 * {@code pcommon.Value.AsString()} does (which Prometheus uses): strings as they are, booleans and
 * integers in decimal, doubles in ECMAScript number form, bytes in base64, arrays and maps as
 * JSON with sorted keys. Stateless.
 */
final class AttributeValues {
  private AttributeValues() {}

  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.isFinite(v.getDoubleValue()) ? es6(v.getDoubleValue())
          : "json: unsupported value: " + GoFloats.format(v.getDoubleValue(), Notation.G);
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder sb = new StringBuilder();
        yield json(sb, v) ? sb.toString() : "";
      }
      default -> "";
    };
  }

  /** Go's {@code float64AsString}: plain decimal, exponent form below 1e-6 and from 1e21 ({@code 1e-7}). */
  private static String es6(double d) {
    String s = GoFloats.format(d, Notation.API_VALUE);
    int e = s.indexOf("e-0");
    return e >= 0 && e + 3 == s.length() - 1 ? s.substring(0, e + 2) + s.charAt(s.length() - 1) : s;
  }

  /** Appends Go's {@code json.Marshal} of the value's raw form; false when it has no JSON form (NaN, ±Inf). */
  private static boolean json(StringBuilder sb, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> quote(sb, v.getStringValue());
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case INT_VALUE -> sb.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        if (!Double.isFinite(v.getDoubleValue())) {
          return false;
        }
        sb.append(es6(v.getDoubleValue()));
      }
      case BYTES_VALUE -> quote(sb, Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        sb.append('[');
        for (int i = 0; i < v.getArrayValue().getValuesCount(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          if (!json(sb, v.getArrayValue().getValues(i))) {
            return false;
          }
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        Map<String, AnyValue> sorted = new TreeMap<>();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          sorted.put(kv.getKey(), kv.getValue());
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, AnyValue> e : sorted.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          quote(sb, e.getKey());
          sb.append(':');
          if (!json(sb, e.getValue())) {
            return false;
          }
        }
        sb.append('}');
      }
      default -> sb.append("null");
    }
    return true;
  }

  /** A JSON string as Go's encoder writes it, with {@code <}, {@code >} and {@code &} escaped. */
  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
