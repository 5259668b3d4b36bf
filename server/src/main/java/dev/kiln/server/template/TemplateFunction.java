package dev.kiln.server.template;

import java.util.List;

/** A function callable from a template; receives evaluated arguments (piped value last). */
@FunctionalInterface
public interface TemplateFunction {
  Object apply(List<Object> args);
}
