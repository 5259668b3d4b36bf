package dev.kiln.scraper.discovery.kubernetes;

/** The API resources Kubernetes discovery lists and watches. */
enum Resource {
  NODES("/api/v1", "nodes", false),
  PODS("/api/v1", "pods", true),
  SERVICES("/api/v1", "services", true),
  ENDPOINTS("/api/v1", "endpoints", true),
  ENDPOINTSLICES("/apis/discovery.k8s.io/v1", "endpointslices", true),
  INGRESSES("/apis/networking.k8s.io/v1", "ingresses", true),
  NAMESPACES("/api/v1", "namespaces", false),
  REPLICASETS("/apis/apps/v1", "replicasets", true),
  JOBS("/apis/batch/v1", "jobs", true);

  final String groupVersion;
  final String plural;
  final boolean namespaced;

  Resource(String groupVersion, String plural, boolean namespaced) {
    this.groupVersion = groupVersion;
    this.plural = plural;
    this.namespaced = namespaced;
  }

  /** The collection path, all namespaces when {@code namespace} is null or the resource is cluster-scoped. */
  String path(String namespace) {
    if (!namespaced || namespace == null) {
      return groupVersion + "/" + plural;
    }
    return groupVersion + "/namespaces/" + namespace + "/" + plural;
  }
}
