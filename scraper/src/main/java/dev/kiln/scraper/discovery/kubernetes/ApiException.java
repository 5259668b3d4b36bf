package dev.kiln.scraper.discovery.kubernetes;

import java.io.IOException;

/** The API server answered with an error status (HTTP status or a watch {@code ERROR} event). */
final class ApiException extends IOException {
  final int code;

  ApiException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** 410 Gone: the resource version is too old; the caller must list again. */
  boolean gone() {
    return code == 410;
  }
}
