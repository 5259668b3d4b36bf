package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.KubernetesSdConfig.AttachMetadata;
import java.util.Collection;

/**
 * What target building may read besides the object itself: the cached objects of the other
 * watched resources, and the attach_metadata options. Used under the discoverer's lock only.
 */
interface Lookup {
  /** The cached object with key {@code namespace/name} (or {@code name}), or null. */
  JsonNode get(Resource r, String key);

  /** Every cached object of a resource. */
  Collection<JsonNode> all(Resource r);

  AttachMetadata attach();

  /** True when objects of {@code r} are filtered by a selector (so a missing one was filtered out). */
  boolean selected(Resource r);
}
