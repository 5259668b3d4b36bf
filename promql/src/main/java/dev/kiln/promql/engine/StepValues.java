package dev.kiln.promql.engine;

/**
 * One series' output values over a grid, computed ahead of its turn (on a worker thread), and how
 * many of them are present. The array is handed over with the record.
 */
record StepValues(double[] values, int present) {}
