package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Both spellings that turn the OTLP receiver on, as Prometheus 3 accepts them. */
class OtlpFlagsTest {
  private static Main parse(String... args) {
    Main m = new Main();
    new CommandLine(m).parseArgs(args);
    return m;
  }

  @Test
  void receiverFlags() {
    assertFalse(parse().otlpReceiverEnabled());
    assertTrue(parse("--web.enable-otlp-receiver").otlpReceiverEnabled());
    assertTrue(parse("--enable-feature=exemplar-storage,otlp-write-receiver").otlpReceiverEnabled());
    assertTrue(parse("--enable-feature=memory-snapshot-on-shutdown", "--enable-feature=otlp-write-receiver").otlpReceiverEnabled());
    assertFalse(parse("--enable-feature=exemplar-storage").otlpReceiverEnabled());
  }
}
