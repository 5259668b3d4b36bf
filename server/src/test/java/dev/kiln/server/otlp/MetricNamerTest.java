package dev.kiln.server.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cases of Prometheus's {@code otlptranslator} {@code TestMetricNamer_Build}. */
class MetricNamerTest {
  /** CSV leaves an empty column null. */
  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static MetricKind kind(String k) {
    return MetricKind.valueOf(k);
  }

  @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      simple_metric              |                       | GAUGE                 | simple_metric
      metric@with#special$chars  |                       | GAUGE                 | metric_with_special_chars
      123metric                  |                       | GAUGE                 | _123metric
      metric@@##$$name           |                       | GAUGE                 | metric_name
      http.request.duration      | ms                    | HISTOGRAM             | http_request_duration
      metric__with__underscores  |                       | GAUGE                 | metric__with__underscores
      """)
  void escapingWithoutSuffixes(String name, String unit, String kind, String want) throws Exception {
    assertEquals(want, new MetricNamer(false, false).build(nz(name), nz(unit), kind(kind)));
  }

  @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      requests                             |                             | MONOTONIC_COUNTER     | requests_total
      cpu_usage                            | 1                           | GAUGE                 | cpu_usage_ratio
      items                                | 1                           | MONOTONIC_COUNTER     | items_total
      response_time                        | ms                          | GAUGE                 | response_time_milliseconds
      memory_usage                         | By                          | GAUGE                 | memory_usage_bytes
      requests                             | 1/s                         | GAUGE                 | requests_per_second
      throughput                           | By/s                        | GAUGE                 | throughput_bytes_per_second
      custom_metric                        | custom_unit                 | GAUGE                 | custom_metric_custom_unit
      custom_metric                        | {custom}                    | GAUGE                 | custom_metric
      custom_metric                        | By/{custom}                 | GAUGE                 | custom_metric_bytes
      requests_total                       |                             | MONOTONIC_COUNTER     | requests_total
      cpu_usage_ratio                      | 1                           | GAUGE                 | cpu_usage_ratio
      response_time_seconds                | s                           | GAUGE                 | response_time_seconds
      metric__with__multiple__underscores  | unit__multiple__underscores | GAUGE                 | metric_with_multiple_underscores_unit_multiple_underscores
      custom_metric                        | unit@with#special/chars     | GAUGE                 | custom_metric_unit_with_special_per_chars
      request_duration                     | s                           | HISTOGRAM             | request_duration_seconds
      request_size                         | By                          | EXPONENTIAL_HISTOGRAM | request_size_bytes
      response_time                        | ms                          | SUMMARY               | response_time_milliseconds
      active_connections                   |                             | NON_MONOTONIC_COUNTER | active_connections
      unknown_metric                       |                             | UNKNOWN               | unknown_metric
      uptime                               | d                           | GAUGE                 | uptime_days
      duration                             | h                           | GAUGE                 | duration_hours
      timeout                              | min                         | GAUGE                 | timeout_minutes
      latency                              | us                          | GAUGE                 | latency_microseconds
      precision_time                       | ns                          | GAUGE                 | precision_time_nanoseconds
      cache_size                           | KiBy                        | GAUGE                 | cache_size_kibibytes
      memory                               | MiBy                        | GAUGE                 | memory_mebibytes
      storage                              | GiBy                        | GAUGE                 | storage_gibibytes
      capacity                             | TiBy                        | GAUGE                 | capacity_tibibytes
      transfer                             | KBy                         | GAUGE                 | transfer_kilobytes
      download                             | MBy                         | GAUGE                 | download_megabytes
      backup                               | GBy                         | GAUGE                 | backup_gigabytes
      archive                              | TBy                         | GAUGE                 | archive_terabytes
      distance                             | m                           | GAUGE                 | distance_meters
      voltage                              | V                           | GAUGE                 | voltage_volts
      current                              | A                           | GAUGE                 | current_amperes
      energy                               | J                           | GAUGE                 | energy_joules
      power                                | W                           | GAUGE                 | power_watts
      weight                               | g                           | GAUGE                 | weight_grams
      temperature                          | Cel                         | GAUGE                 | temperature_celsius
      frequency                            | Hz                          | GAUGE                 | frequency_hertz
      cpu_usage                            | %                           | GAUGE                 | cpu_usage_percent
      requests                             | 1/m                         | GAUGE                 | requests_per_minute
      events                               | 1/h                         | GAUGE                 | events_per_hour
      transactions                         | 1/d                         | GAUGE                 | transactions_per_day
      reports                              | 1/w                         | GAUGE                 | reports_per_week
      invoices                             | 1/mo                        | GAUGE                 | invoices_per_month
      renewals                             | 1/y                         | GAUGE                 | renewals_per_year
      custom                               | 1/custom_unit               | GAUGE                 | custom_per_custom_unit
      metric                               | By/                         | GAUGE                 | metric_bytes
      metric                               | ' By / s '                  | GAUGE                 | metric_bytes_per_second
      metric                               | /                           | GAUGE                 | metric
      http.request.duration                | ms                          | HISTOGRAM             | http_request_duration_milliseconds
      http.requests                        | 1                           | MONOTONIC_COUNTER     | http_requests_total
      process.cpu.time                     | s                           | MONOTONIC_COUNTER     | process_cpu_time_seconds_total
      system.filesystem.utilization        | 1                           | GAUGE                 | system_filesystem_utilization_ratio
      """)
  void escapingWithSuffixes(String name, String unit, String kind, String want) throws Exception {
    assertEquals(want, new MetricNamer(false, true).build(nz(name), nz(unit), kind(kind)));
  }

  @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      requests_total         |     | MONOTONIC_COUNTER | requests_total
      cpu_usage_ratio        | 1   | GAUGE             | cpu_usage_ratio
      response_time_seconds  | s   | GAUGE             | response_time_seconds
      cpu_seconds_total      | s   | MONOTONIC_COUNTER | cpu_seconds_total
      requêsts               |     | MONOTONIC_COUNTER | requêsts_total
      cpu_usagé              | 1   | GAUGE             | cpu_usagé_ratio
      respønse_time          | ms  | GAUGE             | respønse_time_milliseconds
      requêsts               | 1/s | GAUGE             | requêsts_per_second
      @#$%                   |     | MONOTONIC_COUNTER | @#$%_total
      http.server.duration   | s   | HISTOGRAM         | http.server.duration_seconds
      """)
  void utf8WithSuffixes(String name, String unit, String kind, String want) throws Exception {
    assertEquals(want, new MetricNamer(true, true).build(nz(name), nz(unit), kind(kind)));
  }

  @ParameterizedTest(name = "{0} -> {0}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      métric_with_ñ_chars   |     | GAUGE
      http.request.duration | ms  | HISTOGRAM
      http.requests         | 1   | MONOTONIC_COUNTER
      """)
  void noTranslationKeepsTheName(String name, String unit, String kind) throws Exception {
    assertEquals(nz(name), new MetricNamer(true, false).build(nz(name), nz(unit), kind(kind)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(emptyValue = "", value = {"'@#$%'", "''", "'_'"})
  void namesThatEscapeToNothingAreRejected(String name) {
    assertThrows(InvalidNameException.class, () -> new MetricNamer(false, true).build(name, "", MetricKind.GAUGE));
    assertThrows(InvalidNameException.class, () -> new MetricNamer(false, false).build(name.equals("_") ? "@" : name, "",
        MetricKind.GAUGE));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      ms                          | milliseconds
      By                          | bytes
      1/s                         | per_second
      By/s                        | bytes_per_second
      custom_unit                 | custom_unit
      {custom}                    |
      By/{custom}                 | bytes
      1                           |
      unit__multiple__underscores | unit_multiple_underscores
      unit@with#special/chars     | unit_with_special_per_chars
      ' By / s '                  | bytes_per_second
      """)
  void unitNames(String unit, String want) {
    assertEquals(nz(want), new MetricNamer(false, true).unit(nz(unit)));
  }
}
