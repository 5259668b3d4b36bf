package dev.kiln.server.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decodes an OTLP/HTTP metrics request body as Prometheus's {@code DecodeOTLPWriteRequest} does:
 * Content-Type exactly {@code application/x-protobuf} or {@code application/json},
 * Content-Encoding {@code gzip} or none. Stateless and thread-safe.
 */
final class OtlpRequestDecoder {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private final long maxDecompressedBytes;

  /** @param maxDecompressedBytes the largest body accepted after gunzip */
  OtlpRequestDecoder(long maxDecompressedBytes) {
    this.maxDecompressedBytes = maxDecompressedBytes;
  }

  ExportMetricsServiceRequest decode(String contentType, String contentEncoding, byte[] body) throws InvalidOtlpException {
    boolean json;
    if (PROTOBUF.equals(contentType)) {
      json = false;
    } else if (JSON.equals(contentType)) {
      json = true;
    } else {
      throw new InvalidOtlpException("unsupported content type: " + (contentType == null ? "" : contentType)
          + ", supported: [" + JSON + ", " + PROTOBUF + "]");
    }
    byte[] raw;
    if (contentEncoding == null || contentEncoding.isEmpty()) {
      raw = body;
    } else if (contentEncoding.equals("gzip")) {
      raw = gunzip(body);
    } else {
      throw new InvalidOtlpException("unsupported compression: " + contentEncoding + ". Only \"gzip\" or no compression supported");
    }
    if (json) {
      return OtlpJson.parse(raw);
    }
    try {
      return ExportMetricsServiceRequest.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidOtlpException("proto: " + e.getMessage());
    }
  }

  private byte[] gunzip(byte[] body) throws InvalidOtlpException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length * 4));
      byte[] buf = new byte[16384];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > maxDecompressedBytes) {
          throw new InvalidOtlpException("gzip: decompressed body larger than " + maxDecompressedBytes + " bytes");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new InvalidOtlpException("gzip: " + e.getMessage());
    }
  }
}
