package dev.kiln.promql.ast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.promql.parser.PromQLParser;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The canonical and pretty forms, checked against the outputs Prometheus's own printer tests
 * expect ({@code promql/parser/printer_test.go}, {@code prettier_test.go}; the pretty cases use
 * its 10-character line limit).
 */
class PrinterTest {
  static Stream<Arguments> canonical() {
    return Stream.of(
        Arguments.of("sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})"),
        Arguments.of("sum by(code) (task:errors:rate10s{job=\"s\"})", "sum by (code) (task:errors:rate10s{job=\"s\"})"),
        Arguments.of("sum without() (task:errors:rate10s{job=\"s\"})", "sum without () (task:errors:rate10s{job=\"s\"})"),
        Arguments.of("sum(task:errors:rate10s{job=\"s\"}) without(instance)",
            "sum without (instance) (task:errors:rate10s{job=\"s\"})"),
        Arguments.of("sum by(\"foo.bar\") (x)", "sum by (\"foo.bar\") (x)"),
        Arguments.of("count by(\"ööö\", job) (foo)", "count by (\"ööö\", job) (foo)"),
        Arguments.of("topk(5, task:errors:rate10s{job=\"s\"})", "topk(5, task:errors:rate10s{job=\"s\"})"),
        Arguments.of("count_values(\"value\", x)", "count_values(\"value\", x)"),
        Arguments.of("a - on() c", "a - on () c"),
        Arguments.of("a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"),
        Arguments.of("a - on(b) group_left c", "a - on (b) group_left () c"),
        Arguments.of("a - on(b) group_left() (c)", "a - on (b) group_left () (c)"),
        Arguments.of("a - ignoring(b) c", "a - ignoring (b) c"),
        Arguments.of("a - ignoring() c", "a - c"),
        Arguments.of("a - ignoring() group_left(__metric__) c", "a - ignoring () group_left (__metric__) c"),
        Arguments.of("a + fill(-23) b", "a + fill (-23) b"),
        Arguments.of("a + fill_left(-23) fill_right(42) b", "a + fill_left (-23) fill_right (42) b"),
        Arguments.of("a + on(b) group_left fill(-23) c", "a + on (b) group_left () fill (-23) c"),
        Arguments.of("foo / on(\"äää\") group_right(\"ööö\") bar", "foo / on (\"äää\") group_right (\"ööö\") bar"),
        Arguments.of("up > bool 0", "up > bool 0"),
        Arguments.of("a offset 1m", "a offset 1m"),
        Arguments.of("a offset -7m", "a offset -7m"),
        Arguments.of("a{c=\"d\"}[5m] offset 1m", "a{c=\"d\"}[5m] offset 1m"),
        Arguments.of("a[12m] offset -3m", "a[12m] offset -3m"),
        Arguments.of("a[1h:5m] offset 1m", "a[1h:5m] offset 1m"),
        Arguments.of("a[5m] anchored", "a[5m] anchored"),
        Arguments.of("a{b=\"c\"}[5m] anchored @ start() offset 1m", "a{b=\"c\"}[5m] anchored @ start() offset 1m"),
        Arguments.of("a smoothed", "a smoothed"),
        Arguments.of("a{b=\"c\"}[5m] smoothed offset 1m", "a{b=\"c\"}[5m] smoothed offset 1m"),
        Arguments.of("{__name__=\"a\"}", "{__name__=\"a\"}"),
        Arguments.of("a{b!~\"c\"}[1m]", "a{b!~\"c\"}[1m]"),
        Arguments.of("a @ 10", "a @ 10.000"),
        Arguments.of("a[1m] @ 10", "a[1m] @ 10.000"),
        Arguments.of("a[1m] @ end()", "a[1m] @ end()"),
        Arguments.of("{__name__=\"\",a=\"x\"}", "{__name__=\"\",a=\"x\"}"),
        Arguments.of("{\"a.b\"=\"c\"}", "{\"a.b\"=\"c\"}"),
        Arguments.of("{\"0\"=\"1\"}", "{\"0\"=\"1\"}"),
        Arguments.of("{\"_0\"=\"1\"}", "{_0=\"1\"}"),
        Arguments.of("{``=\"0\"}", "{\"\"=\"0\"}"),
        Arguments.of("1048576", "1048576"),
        Arguments.of("foo[step()]", "foo[step()]"),
        Arguments.of("foo[-(step())]", "foo[-(step())]"),
        Arguments.of("foo offset -step()", "foo offset -step()"),
        Arguments.of("foo offset +(5*2)", "foo offset (5 * 2)"),
        Arguments.of("foo offset +min(10s, 20s)", "foo offset min(10s, 20s)"),
        Arguments.of("foo offset -min(10s, +max(step() ^ 2, 2))", "foo offset -min(10s, max(step() ^ 2, 2))"),
        Arguments.of("foo[200-min(-step()^+step(),1)]", "foo[200 - min(-step() ^ step(), 1)]"),
        Arguments.of("foo[max(range(), 5s)]", "foo[max(range(), 5s)]"),
        Arguments.of("predict_linear(foo[1h], 3000)", "predict_linear(foo[1h], 3000)"),
        Arguments.of("sum by (pod) ((kube_pod_container_status_restarts_total{namespace=\"mynamespace\",cluster=\"mycluster\"}"
            + " - kube_pod_container_status_restarts_total{namespace=\"mynamespace}\",cluster=\"mycluster}\"} offset 10m) >= 1"
            + " and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{namespace=\"mynamespace\","
            + "cluster=\"mycluster\",reason=\"OOMKilled\"}[10m]) == 1)",
            "sum by (pod) ((kube_pod_container_status_restarts_total{cluster=\"mycluster\",namespace=\"mynamespace\"}"
            + " - kube_pod_container_status_restarts_total{cluster=\"mycluster}\",namespace=\"mynamespace}\"} offset 10m) >= 1"
            + " and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{cluster=\"mycluster\","
            + "namespace=\"mynamespace\",reason=\"OOMKilled\"}[10m]) == 1)"),
        Arguments.of("x[300s] offset 3600", "x[5m] offset 1h"),
        Arguments.of("rate(x[90s])", "rate(x[1m30s])"),
        Arguments.of("x offset 14d", "x offset 2w"),
        Arguments.of("x[10d]", "x[10d]"),
        Arguments.of("time() - 5m", "time() - 5m"),
        Arguments.of("0x1F + Inf - -NaN", "31 + +Inf - NaN"),
        Arguments.of("\"a\\tb\\u00e9\\\\\"", "\"a\\tbé\\\\\""),
        Arguments.of("-(1)", "-(1)"),
        Arguments.of("+x", "+x"));
  }

  @ParameterizedTest
  @MethodSource
  void canonical(String in, String out) {
    Expr e = PromQLParser.parse(in);
    assertEquals(out, e.toString());
    Expr again = PromQLParser.parse(out);
    assertEquals(out, again.toString());
  }

  static Stream<Arguments> pretty() {
    return Stream.of(
        Arguments.of("sum(foo)", "sum(foo)"),
        Arguments.of("sum by() (task:errors:rate10s{job=\"s\"})", """
            sum(
              task:errors:rate10s{job="s"}
            )"""),
        Arguments.of("sum(task:errors:rate10s{job=\"s\"}) without(job,foo)", """
            sum without (job, foo) (
              task:errors:rate10s{job="s"}
            )"""),
        Arguments.of("topk(10, ask:errors:rate10s{job=\"s\"})", """
            topk(
              10,
              ask:errors:rate10s{job="s"}
            )"""),
        Arguments.of("sum by(job,foo) # Comment 1.\n(sum by(job,foo) ( # Comment 2.\ntask:errors:rate10s{job=\"s\"}))", """
            sum by (job, foo) (
              sum by (job, foo) (
                task:errors:rate10s{job="s"}
              )
            )"""),
        Arguments.of("a+b", "a + b"),
        Arguments.of("a == bool 1", "  a\n== bool\n  1"),
        Arguments.of("foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3"),
        Arguments.of("foo + baar + foo_3", "  foo + baar\n+\n  foo_3"),
        Arguments.of("foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) group_right foo_4",
            "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n    foo_3\n"
                + "+ on (instance) group_right ()\n  foo_4"),
        Arguments.of("rate(long_vector_selector[10m:1m] @ start() offset 1m)", """
            rate(
              long_vector_selector[10m:1m] @ start() offset 1m
            )"""),
        Arguments.of("max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)", """
            max_over_time(
              rate(
                demo_api_request_duration_seconds_count[1m]
              )[1m:] @ start() offset 1m
            )"""),
        Arguments.of("label_replace(up{job=\"api-server\",service=\"a:c\"}, \"foo\", \"$1\", \"service\", \"(.*):.*\")", """
            label_replace(
              up{job="api-server",service="a:c"},
              "foo",
              "$1",
              "service",
              "(.*):.*"
            )"""),
        Arguments.of("((_foo_long_))", "(\n  (\n    _foo_long_\n  )\n)"),
        Arguments.of("(((foo_long)))", "(\n  (\n    (foo_long)\n  )\n)"),
        Arguments.of("a @ 1", "a @ 1.000"),
        Arguments.of("(foo + bar)", "(\n  foo + bar\n)"),
        Arguments.of("(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or "
            + "(node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)", """
              (
                    node_timex_offset_seconds
                  >
                    0.05
                and
                    deriv(
                      node_timex_offset_seconds[5m]
                    )
                  >=
                    0
              )
            or
              (
                    node_timex_offset_seconds
                  <
                    -0.05
                and
                    deriv(
                      node_timex_offset_seconds[5m]
                    )
                  <=
                    0
              )"""),
        Arguments.of("min by (job, integration) (rate(alertmanager_notifications_failed_total{job=\"alertmanager\", "
            + "integration=~\".*\"}[5m]) / rate(alertmanager_notifications_total{job=\"alertmanager\", "
            + "integration=\"~.*\"}[5m])) > 0.01", """
              min by (job, integration) (
                  rate(
                    alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
                  )
                /
                  rate(
                    alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
                  )
              )
            >
              0.01"""),
        Arguments.of("-1", "-1"),
        Arguments.of("(-vector_selector)", "(\n  -vector_selector\n)"),
        Arguments.of("-histogram_quantile(0.9, -rate(foo[1m] @ start()))", """
            -histogram_quantile(
              0.9,
              -rate(
                foo[1m] @ start()
              )
            )"""),
        Arguments.of("rate(foo[-5m+35m])", "rate(\n  foo[-5m + 35m]\n)"));
  }

  @ParameterizedTest
  @MethodSource
  void pretty(String in, String out) {
    Expr e = PromQLParser.parse(in);
    assertEquals(out, Printer.pretty(e, 10));
    assertEquals(true, Expr.equalsIgnoringPosition(e, PromQLParser.parse(out)), "pretty form parses back");
  }

  @org.junit.jupiter.api.Test
  void shortQueriesStayOnOneLine() {
    String q = "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))";
    assertEquals(q, Printer.pretty(PromQLParser.parse(q)));
  }
}
