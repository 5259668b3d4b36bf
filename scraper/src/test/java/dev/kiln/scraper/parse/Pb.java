package dev.kiln.scraper.parse;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds protobuf messages field by field with protobuf-java's encoder, for tests of the
 * protobuf exposition (field numbers of io.prometheus.client metrics.proto).
 */
public final class Pb {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  public static Pb msg() {
    return new Pb();
  }

  public Pb string(int field, String v) {
    return io(() -> out.writeString(field, v));
  }

  public Pb dbl(int field, double v) {
    return io(() -> out.writeDouble(field, v));
  }

  public Pb uint(int field, long v) {
    return io(() -> out.writeUInt64(field, v));
  }

  public Pb int64(int field, long v) {
    return io(() -> out.writeInt64(field, v));
  }

  public Pb sint(int field, long v) {
    return io(() -> out.writeSInt64(field, v));
  }

  public Pb packedSint(int field, long... vs) {
    return io(() -> {
      int size = 0;
      for (long v : vs) {
        size += CodedOutputStream.computeSInt64SizeNoTag(v);
      }
      out.writeTag(field, 2);
      out.writeUInt32NoTag(size);
      for (long v : vs) {
        out.writeSInt64NoTag(v);
      }
    });
  }

  public Pb packedDoubles(int field, double... vs) {
    return io(() -> {
      out.writeTag(field, 2);
      out.writeUInt32NoTag(8 * vs.length);
      for (double v : vs) {
        out.writeDoubleNoTag(v);
      }
    });
  }

  public Pb msg(int field, Pb m) {
    byte[] b = m.bytes();
    return io(() -> out.writeByteArray(field, b));
  }

  public Pb label(String name, String value) {
    return msg(1, msg().string(1, name).string(2, value));
  }

  public byte[] bytes() {
    io(out::flush);
    return bytes.toByteArray();
  }

  /** The families as a delimited stream (varint length, message, ...). */
  public static byte[] delimited(Pb... families) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(b);
    try {
      for (Pb f : families) {
        byte[] m = f.bytes();
        o.writeUInt32NoTag(m.length);
        o.writeRawBytes(m);
      }
      o.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  private interface Io {
    void run() throws IOException;
  }

  private Pb io(Io r) {
    try {
      r.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
