/** JMH benchmarks of Kiln's hot paths. Run with {@code java -jar benchmarks/target/benchmarks.jar}. */
package dev.kiln.benchmarks;
