/** The pull scraper: configuration, discovery, relabeling, exposition parsing, scrape loops, host metrics. */
package dev.kiln.scraper;
