package dev.kiln.server.web;

import java.lang.reflect.Method;
import java.util.List;
import javax.net.ssl.SSLParameters;

/** {@code curve_preferences} as the JDK's named groups; {@code SSLParameters.setNamedGroups} exists from Java 20. */
final class NamedGroups {
  private static final Method SET = find();
  static final boolean SUPPORTED = SET != null;

  private NamedGroups() {}

  private static Method find() {
    try {
      return SSLParameters.class.getMethod("setNamedGroups", String[].class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  static void apply(SSLParameters p, List<String> curves) {
    if (curves.isEmpty() || SET == null) {
      return;
    }
    String[] groups = curves.stream().map(TlsServerConfig.CURVES::get).toArray(String[]::new);
    try {
      SET.invoke(p, (Object) groups);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("BUG: setNamedGroups failed", e);
    }
  }
}
