/** PromQL: parser, AST and evaluator over a tsdb-core {@code Queryable}. */
package dev.kiln.promql;
