package dev.kiln.server.api;

import dev.kiln.promql.ParseException;
import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.Printer;
import dev.kiln.promql.parser.PromQLParser;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;

/**
 * {@code /api/v1/format_query} (the query in Prometheus's canonical pretty-printed form, comments
 * dropped) and {@code /api/v1/parse_query} (the syntax tree as JSON for the web UI). Both parse
 * only; nothing is evaluated. Syntax and type errors answer 400 {@code bad_data}.
 */
public final class QueryFormatApi {
  public void register(Router router) {
    router.read("/api/v1/format_query", this::format);
    router.read("/api/v1/parse_query", this::parse);
  }

  private Response format(Request r) throws ApiException {
    String pretty = Printer.pretty(parse(query(r)));
    return ApiResponses.success(out -> out.value(pretty));
  }

  private Response parse(Request r) throws ApiException {
    Expr e = parse(query(r));
    return ApiResponses.success(out -> AstJson.write(out, e));
  }

  private static String query(Request r) {
    String q = r.param("query");
    return q == null ? "" : q;
  }

  private static Expr parse(String query) throws ApiException {
    try {
      return PromQLParser.parse(query);
    } catch (ParseException e) {
      throw ApiException.badParam("query", e.getMessage());
    }
  }
}
