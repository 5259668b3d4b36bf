package dev.kiln.tsdb.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Takes a file mapping's pages out of the process's resident set without unmapping it: the JDK's
 * foreign memory API ({@code MemorySegment.unload()}, {@code madvise(MADV_DONTNEED)} on Linux) on
 * a segment over the mapping. For a shared file mapping, which every Kiln mapping is, the pages
 * stay in the page cache (written ones included: the kernel keeps their changes for writeback),
 * and the next access maps them in again with the same bytes, so this is safe while other
 * threads read or write through the mapping. Only the resident set changes: the page cache is the
 * kernel's to drop, but the resident pages of mapped files count in a process's RSS.
 *
 * <p>Found by reflection, since the API is final only from Java 22 ({@code java.lang.foreign}) and
 * an incubator module on Java 17 ({@code jdk.incubator.foreign}, present only when the JVM runs
 * with {@code --add-modules jdk.incubator.foreign}, as the launcher does). Where neither is there
 * {@link #available()} is false and {@link #release} does nothing. Immutable; thread-safe.
 */
public final class ResidentPages {
  private final MethodHandle ofBuffer;
  private final MethodHandle unload;

  private ResidentPages(MethodHandle ofBuffer, MethodHandle unload) {
    this.ofBuffer = ofBuffer;
    this.unload = unload;
  }

  /** The API of this JVM, or an unavailable instance when it has none. */
  public static ResidentPages detect() {
    ResidentPages p = lookup("java.lang.foreign.MemorySegment", "ofBuffer", java.nio.Buffer.class);
    if (p == null) {
      p = lookup("jdk.incubator.foreign.MemorySegment", "ofByteBuffer", ByteBuffer.class);
    }
    return p == null ? new ResidentPages(null, null) : p;
  }

  private static ResidentPages lookup(String type, String factory, Class<?> arg) {
    try {
      Class<?> segment = Class.forName(type);
      MethodHandles.Lookup l = MethodHandles.publicLookup();
      MethodHandle of = l.findStatic(segment, factory, MethodType.methodType(segment, arg))
          .asType(MethodType.methodType(Object.class, MappedByteBuffer.class));
      MethodHandle un = l.findVirtual(segment, "unload", MethodType.methodType(void.class))
          .asType(MethodType.methodType(void.class, Object.class));
      return new ResidentPages(of, un);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Whether {@link #release} does anything on this JVM. */
  public boolean available() {
    return unload != null;
  }

  /**
   * Takes the mapping's resident pages out of the resident set; returns false when this JVM
   * cannot (see {@link #available()}) or the call failed, and the pages stay.
   */
  public boolean release(MappedByteBuffer mapping) {
    if (unload == null || mapping.capacity() == 0) {
      return false;
    }
    try {
      unload.invokeExact(ofBuffer.invokeExact(mapping));
      return true;
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      return false;
    }
  }
}
