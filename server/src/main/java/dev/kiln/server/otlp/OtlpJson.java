package dev.kiln.server.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the OTLP/HTTP JSON encoding of a metrics export ({@code application/json}): the proto3
 * JSON mapping with lowerCamelCase (or original) field names, 64-bit integers as numbers or
 * strings, enums as numbers or names, and, as the OTLP specification says, {@code traceId} and
 * {@code spanId} in hex instead of base64. Unknown fields are skipped and a key given twice keeps its
 * last value, as the Collector's decoder does. Stateless and thread-safe.
 */
final class OtlpJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OtlpJson() {}

  /** Parses a request; the message names what is wrong and where. */
  static ExportMetricsServiceRequest parse(byte[] json) throws InvalidOtlpException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidOtlpException("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidOtlpException("invalid JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return ExportMetricsServiceRequest.getDefaultInstance();
    }
    ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
    merge(b, root, "");
    return b.build();
  }

  private static void merge(Message.Builder b, JsonNode obj, String path) throws InvalidOtlpException {
    if (!obj.isObject()) {
      throw new InvalidOtlpException(where(path) + "expected an object");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      FieldDescriptor fd = field(b, e.getKey());
      JsonNode v = e.getValue();
      if (fd == null || v.isNull()) {
        continue;
      }
      String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      if (fd.isRepeated()) {
        if (!v.isArray()) {
          throw new InvalidOtlpException(where(at) + "expected an array");
        }
        for (int i = 0; i < v.size(); i++) {
          String item = at + "[" + i + "]";
          if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            Message.Builder sub = b.newBuilderForField(fd);
            merge(sub, v.get(i), item);
            b.addRepeatedField(fd, sub.build());
          } else {
            b.addRepeatedField(fd, scalar(fd, v.get(i), item));
          }
        }
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Message.Builder sub = b.getFieldBuilder(fd);
        merge(sub, v, at);
      } else {
        b.setField(fd, scalar(fd, v, at));
      }
    }
  }

  private static FieldDescriptor field(Message.Builder b, String name) {
    for (FieldDescriptor fd : b.getDescriptorForType().getFields()) {
      if (fd.getJsonName().equals(name) || fd.getName().equals(name)) {
        return fd;
      }
    }
    return null;
  }

  private static Object scalar(FieldDescriptor fd, JsonNode v, String at) throws InvalidOtlpException {
    try {
      return switch (fd.getJavaType()) {
        case STRING -> {
          if (!v.isTextual()) {
            throw new InvalidOtlpException(where(at) + "expected a string");
          }
          yield v.textValue();
        }
        case BOOLEAN -> {
          if (!v.isBoolean()) {
            throw new InvalidOtlpException(where(at) + "expected true or false");
          }
          yield v.booleanValue();
        }
        case INT -> (int) integer(fd, v, at, 32);
        case LONG -> integer(fd, v, at, 64);
        case DOUBLE -> floating(v, at);
        case FLOAT -> (float) floating(v, at);
        case BYTE_STRING -> bytes(fd, v, at);
        case ENUM -> enumValue(fd, v, at);
        default -> throw new InvalidOtlpException(where(at) + "unsupported field type");
      };
    } catch (IllegalArgumentException e) {
      throw new InvalidOtlpException(where(at) + e.getMessage());
    }
  }

  private static long integer(FieldDescriptor fd, JsonNode v, String at, int bits) throws InvalidOtlpException {
    String text = v.isTextual() ? v.textValue() : v.isIntegralNumber() ? v.bigIntegerValue().toString()
        : v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) ? Long.toString((long) v.doubleValue()) : null;
    if (text == null) {
      throw new InvalidOtlpException(where(at) + "expected an integer");
    }
    boolean unsigned = fd.getType() == FieldDescriptor.Type.FIXED64 || fd.getType() == FieldDescriptor.Type.UINT64
        || fd.getType() == FieldDescriptor.Type.FIXED32 || fd.getType() == FieldDescriptor.Type.UINT32;
    try {
      if (bits == 32) {
        return unsigned ? Integer.parseUnsignedInt(text) : Integer.parseInt(text);
      }
      return unsigned ? Long.parseUnsignedLong(text) : Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new InvalidOtlpException(where(at) + "invalid integer \"" + text + "\"");
    }
  }

  private static double floating(JsonNode v, String at) throws InvalidOtlpException {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      switch (v.textValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(v.textValue());
          } catch (NumberFormatException e) {
            throw new InvalidOtlpException(where(at) + "invalid number \"" + v.textValue() + "\"");
          }
      }
    }
    throw new InvalidOtlpException(where(at) + "expected a number");
  }

  private static ByteString bytes(FieldDescriptor fd, JsonNode v, String at) throws InvalidOtlpException {
    if (!v.isTextual()) {
      throw new InvalidOtlpException(where(at) + "expected a string");
    }
    String s = v.textValue();
    if (fd.getName().equals("trace_id") || fd.getName().equals("span_id")) {
      try {
        return ByteString.copyFrom(HexFormat.of().parseHex(s));
      } catch (IllegalArgumentException e) {
        throw new InvalidOtlpException(where(at) + "invalid hex id \"" + s + "\"");
      }
    }
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(s));
    } catch (IllegalArgumentException e) {
      return ByteString.copyFrom(Base64.getUrlDecoder().decode(s));
    }
  }

  private static EnumValueDescriptor enumValue(FieldDescriptor fd, JsonNode v, String at) throws InvalidOtlpException {
    EnumValueDescriptor e = v.isIntegralNumber() ? fd.getEnumType().findValueByNumber(v.intValue())
        : v.isTextual() ? fd.getEnumType().findValueByName(v.textValue()) : null;
    if (e == null) {
      throw new InvalidOtlpException(where(at) + "invalid value " + v + " for enum " + fd.getEnumType().getName());
    }
    return e;
  }

  private static String where(String path) {
    return path.isEmpty() ? "" : path + ": ";
  }
}
