package dev.kiln.scraper.discovery.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class TrimTest {
  @Test
  void podsKeepOnlyWhatTheirLabelsUseAndNothingLosesMetadata() throws Exception {
    JsonNode pod = KubeClient.JSON.readTree("""
        {"metadata": {"name": "p", "namespace": "n", "labels": {"a": "b"}, "annotations": {"x": "y"},
           "managedFields": [{"manager": "kubelet"}], "ownerReferences": [{"kind": "ReplicaSet", "name": "r", "controller": true}]},
         "spec": {"nodeName": "w", "volumes": [{"name": "v"}], "serviceAccountName": "sa",
           "containers": [{"name": "c", "image": "i", "env": [{"name": "E", "value": "1"}], "ports": [{"containerPort": 80}],
             "livenessProbe": {"httpGet": {"path": "/"}}}]},
         "status": {"phase": "Running", "podIP": "10.0.0.1", "qosClass": "Burstable",
           "containerStatuses": [{"name": "c", "containerID": "containerd://1", "image": "i", "state": {"running": {}}}]}}""");
    JsonNode before = pod.deepCopy();
    Trim.apply(Resource.PODS, pod);
    assertFalse(pod.path("metadata").has("managedFields"));
    assertEquals(before.path("metadata").path("ownerReferences"), pod.path("metadata").path("ownerReferences"));
    assertEquals(before.path("metadata").path("annotations"), pod.path("metadata").path("annotations"));
    assertEquals("{\"nodeName\":\"w\",\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80}]}]}",
        pod.path("spec").toString());
    assertEquals("{\"phase\":\"Running\",\"podIP\":\"10.0.0.1\",\"containerStatuses\":[{\"name\":\"c\",\"containerID\":\"containerd://1\"}]}",
        pod.path("status").toString());
    LookupStub lookup = new LookupStub();
    assertEquals(PodTargets.build(before, lookup), PodTargets.build(pod, lookup), "trimming changes no target group");

    JsonNode svc = KubeClient.JSON.readTree("{\"metadata\": {\"name\": \"s\", \"managedFields\": []}, \"spec\": {\"selector\": {\"a\": \"b\"}}}");
    Trim.apply(Resource.SERVICES, svc);
    assertFalse(svc.path("metadata").has("managedFields"));
    assertTrue(svc.path("spec").has("selector"), "only pods lose spec fields");
  }

  /** A lookup without other objects or attached metadata. */
  static final class LookupStub implements Lookup {
    @Override
    public JsonNode get(Resource r, String key) {
      return null;
    }

    @Override
    public java.util.Collection<JsonNode> all(Resource r) {
      return java.util.List.of();
    }

    @Override
    public dev.kiln.config.KubernetesSdConfig.AttachMetadata attach() {
      return dev.kiln.config.KubernetesSdConfig.AttachMetadata.NONE;
    }

    @Override
    public boolean selected(Resource r) {
      return false;
    }
  }
}
