/** Prometheus relabeling: {@link dev.kiln.config.relabel.RelabelConfig} rules applied by {@link dev.kiln.config.relabel.Relabeler}. */
package dev.kiln.config.relabel;
