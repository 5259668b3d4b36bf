package dev.kiln.promql.engine;

import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.parser.PromQLParser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The syntax trees of recently parsed query texts, so that a dashboard's queries, sent again on
 * every refresh, are read by the parser once. The trees are immutable and depend on the text
 * alone; texts that fail to parse are not kept (each attempt throws its own exception). Holds at
 * most {@code capacity} texts of at most {@link #MAX_TEXT} characters, least recently used out
 * first. Thread-safe.
 */
final class ParsedQueries {
  /** Longer texts are parsed every time, so the cache's memory stays bounded. */
  static final int MAX_TEXT = 4096;

  private final Map<String, Expr> trees;

  ParsedQueries(int capacity) {
    this.trees = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Expr> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The tree of {@code query}, parsed now or earlier; throws the parser's exceptions. */
  Expr parse(String query) {
    if (query.length() > MAX_TEXT) {
      return PromQLParser.parse(query);
    }
    synchronized (trees) {
      Expr e = trees.get(query);
      if (e != null) {
        return e;
      }
    }
    Expr e = PromQLParser.parse(query);
    synchronized (trees) {
      trees.put(query, e);
    }
    return e;
  }

  /** How many texts are kept. */
  int size() {
    synchronized (trees) {
      return trees.size();
    }
  }

  /** A plan parser that reads query text through {@code cache}, then plans it for the query's step and range. */
  static PlanParser planParser(ParsedQueries cache) {
    return (query, step, range) -> new Planner(step, range).plan(cache.parse(query));
  }
}
