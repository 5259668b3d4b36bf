package dev.kiln.promql;

/** The result of evaluating a PromQL expression: one of the four PromQL value types. */
public sealed interface Value permits Scalar, StringValue, Vector, Matrix {
  /** The API's name of the type: "scalar", "string", "vector" or "matrix". */
  String typeName();
}
