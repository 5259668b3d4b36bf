package dev.kiln.server.http;

/** An API error with Prometheus's error type and HTTP status. */
public final class ApiException extends Exception {
  private final String errorType;
  private final int status;

  public ApiException(String errorType, int status, String message) {
    super(message);
    this.errorType = errorType;
    this.status = status;
  }

  public static ApiException badData(String message) {
    return new ApiException("bad_data", 400, message);
  }

  public static ApiException badParam(String name, String cause) {
    return badData("invalid parameter \"" + name + "\": " + cause);
  }

  public String errorType() {
    return errorType;
  }

  public int status() {
    return status;
  }
}
