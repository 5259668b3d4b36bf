package dev.kiln.server.memory;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns glibc's free memory to the system through the JVM's {@code System.trim_native_heap}
 * diagnostic command (HotSpot 17.0.9 and later; the same as {@code jcmd PID System.trim_native_heap}).
 * Where the command is missing, the first call logs it once and later calls do nothing.
 * Thread-safe.
 */
public final class NativeHeapTrim {
  private static final Logger LOG = LoggerFactory.getLogger(NativeHeapTrim.class);
  private volatile boolean unavailable;

  /** Runs the command once; returns its output, or null when it is not available. */
  public String trim() {
    if (unavailable) {
      return null;
    }
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
      Object out = server.invoke(name, "systemTrimNativeHeap", null, null);
      return String.valueOf(out).strip();
    } catch (Exception | LinkageError e) {
      unavailable = true;
      LOG.info("native heap trim not available on this JVM ({}); idle trims leave the C heap as it is", e.toString());
      return null;
    }
  }
}
