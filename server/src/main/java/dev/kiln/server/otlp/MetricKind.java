package dev.kiln.server.otlp;

/** The OTLP metric types as the name translation distinguishes them ({@code otlptranslator.MetricType}). */
enum MetricKind {
  UNKNOWN,
  GAUGE,
  MONOTONIC_COUNTER,
  NON_MONOTONIC_COUNTER,
  HISTOGRAM,
  EXPONENTIAL_HISTOGRAM,
  SUMMARY
}
