/** The pull scraper: configuration, discovery, relabeling, exposition parsing, scrape loops. */
package dev.kiln.scraper;
