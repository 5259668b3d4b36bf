/** The pull scraper: service discovery, exposition parsing, scrape loops, host metrics (its configuration is in {@code dev.kiln.config}). */
package dev.kiln.scraper;
