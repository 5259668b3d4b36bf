package dev.kiln.scraper.discovery;

import dev.kiln.config.TargetGroup;
import java.util.List;
import java.util.function.Consumer;

/** Target groups fixed in the configuration ({@code static_configs}). */
public final class StaticDiscoverer implements Discoverer {
  private final List<TargetGroup> groups;

  public StaticDiscoverer(List<TargetGroup> groups) {
    this.groups = List.copyOf(groups);
  }

  @Override
  public void start(Consumer<List<TargetGroup>> listener) {
    listener.accept(groups);
  }

  @Override
  public void close() {}
}
