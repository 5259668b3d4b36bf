package dev.kiln.server.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExpositionFormatTest {
  @Test
  void protobufIsChosenOnlyForDelimitedMetricFamilies() {
    assertEquals(ExpositionFormat.PROTOBUF, ExpositionFormat.negotiate(
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3"));
    assertEquals(ExpositionFormat.PROTOBUF, ExpositionFormat.negotiate(
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"));
    assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate(
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"));
    assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate(
        "application/vnd.google.protobuf;proto=other.Message;encoding=delimited"));
    assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate(null));
    assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate("*/*"));
  }

  @Test
  void higherQualityWins() {
    assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate(
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.2,text/plain;q=0.9"));
    assertEquals(ExpositionFormat.PROTOBUF, ExpositionFormat.negotiate(
        "text/plain;version=0.0.4;q=0.5,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"));
    // text/plain of an unknown version does not select text; the next range decides.
    assertEquals(ExpositionFormat.PROTOBUF, ExpositionFormat.negotiate(
        "text/plain;version=9.9,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5"));
  }
}
