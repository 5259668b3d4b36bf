package dev.kiln.server.http;

/** Handles one endpoint. Called on a worker thread, never on the network event loop. */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
