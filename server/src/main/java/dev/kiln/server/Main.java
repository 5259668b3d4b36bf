package dev.kiln.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the Kiln server process. */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = KilnVersion.class,
    description = "Kiln: a Prometheus-compatible time-series database and scraper server.")
public final class Main implements Runnable {
  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }

  @Override
  public void run() {
    System.err.println("The Kiln server is not wired up yet; try --version.");
  }
}
