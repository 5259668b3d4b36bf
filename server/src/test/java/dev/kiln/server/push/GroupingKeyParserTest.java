package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Grouping keys and their errors as the Pushgateway 1.5.1 reads them (checked against it by hand and in the differential tests). */
class GroupingKeyParserTest {
  private static String error(String rest) {
    return assertThrows(PushException.class, () -> GroupingKeyParser.parse(rest)).getMessage();
  }

  @Test
  void emptyValuesStayInTheKey() throws Exception {
    GroupingKey empty = GroupingKeyParser.parse("job/j/foo@base64/=");
    assertEquals(GroupingKey.of("foo", "", "job", "j"), empty);
    assertEquals(empty, GroupingKeyParser.parse("job/j/foo@base64/"));
    assertEquals(empty, GroupingKeyParser.parse("job/j/foo/"));
    assertNotEquals(GroupingKeyParser.parse("job/j"), empty);
    assertEquals(dev.kiln.tsdb.model.Labels.of("job", "j"), empty.labels());
  }

  @Test
  void laterLabelsAndThePathJobWin() throws Exception {
    assertEquals(GroupingKey.of("a", "2", "job", "j"), GroupingKeyParser.parse("job/j/a/1/a/2/job/other"));
    assertEquals(GroupingKey.of("job", "batch-b64", "path", "/var/tmp"),
        GroupingKeyParser.parse("job@base64/YmF0Y2gtYjY0/path@base64/L3Zhci90bXA="));
  }

  @Test
  void errorsInThePushgatewaysOrderAndWords() {
    assertEquals("job name is required", error("job@base64/="));
    assertEquals("odd number of components in label string \"/odd\"", error("job@base64/=/odd"));
    assertEquals("improper label name \"__x\"", error("job/j/__x/1"));
    assertEquals("invalid base64 encoding for label x=\"YWJjZ\": illegal base64 data at input byte 4", error("job/j/x@base64/YWJjZ"));
    assertEquals("invalid base64 encoding for label x=\"a+b\": illegal base64 data at input byte 1", error("job/j/x@base64/a+b"));
    assertEquals("invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 6", error("job@base64/YWJjZA+"));
  }

  @Test
  void base64AsGoRawUrlEncoding() {
    assertEquals(new GoBase64.Result("abc", null), GoBase64.decodeRawUrl("YWJj"));
    assertEquals(new GoBase64.Result("a", null), GoBase64.decodeRawUrl("YQ=="));
    assertEquals(new GoBase64.Result("abc", null), GoBase64.decodeRawUrl("YW\nJj"));
    assertEquals(new GoBase64.Result("", "illegal base64 data at input byte 2"), GoBase64.decodeRawUrl("YW=Jj"));
    assertEquals(new GoBase64.Result("", null), GoBase64.decodeRawUrl("="));
  }

  @Test
  void pathsAreCleanedAsGoServeMuxCleansThem() {
    assertEquals("/metrics/job/j/a/1", PushApi.cleanPath("/metrics/job/j/a/1"));
    assertEquals("/metrics/job/j/foo/", PushApi.cleanPath("/metrics/job/j/foo/"));
    assertEquals("/metrics/job/j/bar/1", PushApi.cleanPath("/metrics/job/j//bar/1"));
    assertEquals("/metrics/job/b", PushApi.cleanPath("/metrics/job/a/../b"));
  }
}
