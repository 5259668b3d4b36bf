package dev.kiln.scraper.discovery;

import dev.kiln.config.TargetGroup;
import java.util.List;
import java.util.function.Consumer;

/**
 * A source of target groups (static lists, files, the Kubernetes API). After {@link #start} it
 * calls the listener with the complete current list whenever it changes, from any thread.
 */
public interface Discoverer extends AutoCloseable {
  void start(Consumer<List<TargetGroup>> listener);

  @Override
  void close();
}
