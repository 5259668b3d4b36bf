package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushedMetricsJsonTest {
  @TempDir Path dir;

  @Test
  void timestampsAreRfc3339WithNanosecondsTrimmed() {
    assertEquals("2026-12-04T21:37:11.240526072Z", PushedMetricsJson.timestamp(1_796_420_231_240_526_072L));
    assertEquals("2026-12-04T21:37:11.24Z", PushedMetricsJson.timestamp(1_796_420_231_240_000_000L));
    assertEquals("2026-12-04T21:37:11Z", PushedMetricsJson.timestamp(1_796_420_231_000_000_000L));
  }

  @Test
  void storesWrittenWithSecondsLoadWithTheirTimes() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("old.json"), "[{\"key\":{\"job\":\"j\"},\"pushTime\":1000.5,"
        + "\"failureTime\":0.0,\"families\":[{\"name\":\"a\",\"type\":\"gauge\",\"help\":\"\",\"samples\":"
        + "[{\"labels\":{\"__name__\":\"a\",\"job\":\"j\"},\"value\":\"1\"}]}]}]");
    PushedGroup g = new PushStore(dir.resolve("old.json")).groups().get(0);
    assertEquals(1_000_500_000_000L, g.pushNanos());
    assertEquals(0, g.failureNanos());
    assertEquals(1_000_500_000_000L, g.createdNanos());
    assertEquals(1_000_500_000_000L, g.families().get("a").pushedNanos());
    assertEquals(true, g.lastPushSuccessful());
  }

  @Test
  void groupsListSortedKeysTypesAndTextHistogramsAsBuckets() throws Exception {
    PushStore store = new PushStore(dir.resolve("groups.json"));
    long t1 = 1_000_000_000_500L;
    store.push(GroupingKey.of("job", "j"), "# TYPE h histogram\nh_bucket{le=\"1.0\"} 2\nh_bucket{le=\"+Inf\"} 3.7\nh_sum 4\nh_count 3.7\n"
        + "u 1e6\n", true, t1);
    store.push(GroupingKey.of("job", "j"), "# HELP c Things.\n# TYPE c counter\nc{a=\"x\"} 5\n", false, t1 + 1000);
    JsonOut out = new JsonOut();
    PushedMetricsJson.write(out, store.groups());
    assertEquals("[{\"c\":{\"time_stamp\":\"1970-01-01T00:16:40.0000015Z\",\"type\":\"COUNTER\",\"help\":\"Things.\","
        + "\"metrics\":[{\"labels\":{\"a\":\"x\",\"instance\":\"\",\"job\":\"j\"},\"value\":\"5\"}]},"
        + "\"h\":{\"time_stamp\":\"1970-01-01T00:16:40.0000005Z\",\"type\":\"HISTOGRAM\",\"metrics\":[{\"buckets\":"
        + "{\"+Inf\":\"3\",\"1\":\"2\"},\"count\":\"3\",\"labels\":{\"instance\":\"\",\"job\":\"j\"},\"sum\":\"4\"}]},"
        + "\"labels\":{\"job\":\"j\"},\"last_push_successful\":true,"
        + "\"push_failure_time_seconds\":{\"time_stamp\":\"1970-01-01T00:16:40.0000005Z\",\"type\":\"GAUGE\",\"help\":\""
        + PushedMetricsJson.PUSH_FAILURE_TIME_HELP + "\",\"metrics\":[{\"labels\":{\"instance\":\"\",\"job\":\"j\"},\"value\":\"0\"}]},"
        + "\"push_time_seconds\":{\"time_stamp\":\"1970-01-01T00:16:40.0000015Z\",\"type\":\"GAUGE\",\"help\":\""
        + PushedMetricsJson.PUSH_TIME_HELP + "\",\"metrics\":[{\"labels\":{\"instance\":\"\",\"job\":\"j\"},\"value\":\"1000.0000015\"}]},"
        + "\"u\":{\"time_stamp\":\"1970-01-01T00:16:40.0000005Z\",\"type\":\"UNTYPED\",\"metrics\":[{\"labels\":"
        + "{\"instance\":\"\",\"job\":\"j\"},\"value\":\"1e+06\"}]}}]",
        new String(out.toBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void emptyLabelsSurviveARestart() throws Exception {
    PushStore store = new PushStore(dir.resolve("empty.json"));
    store.push(GroupingKey.of("job", "j", "foo", ""), "a{container=\"\",foo=\"x\"} 1\n", true, 1_000_000_000L);
    store.push(GroupingKey.of("job", "j"), "a 2\n", true, 2_000_000_000L);
    PushStore reopened = new PushStore(dir.resolve("empty.json"));
    assertEquals(store.groups(), reopened.groups());
    assertEquals(store.exposition(), reopened.exposition());
    assertEquals(2, reopened.groups().size());
    assertEquals(true, reopened.exposition().contains("a{container=\"\",foo=\"\",instance=\"\",job=\"j\"} 1\n"),
        reopened.exposition());
  }
}
