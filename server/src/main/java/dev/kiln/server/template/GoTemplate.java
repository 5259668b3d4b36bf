package dev.kiln.server.template;

import dev.kiln.server.template.TemplateAst.Node;
import java.util.List;
import java.util.Map;

/**
 * A parsed Go {@code text/template}: text, actions with pipelines and variables, {@code if},
 * {@code else if}, {@code range}, {@code with}, {@code define}/{@code template}, comments and
 * trim markers. Missing map keys yield the zero value (Prometheus uses {@code missingkey=zero}).
 * Immutable and thread-safe once parsed; execution state lives in each call. Parsing is
 * {@link TemplateParser} and {@link TemplateLexer}, execution {@link TemplateExecutor} with
 * {@link TemplateBuiltins}, over the tree in {@link TemplateAst}.
 */
public final class GoTemplate {
  private final String name;
  private final List<Node> root;
  private final Map<String, List<Node>> defines;

  private GoTemplate(String name, List<Node> root, Map<String, List<Node>> defines) {
    this.name = name;
    this.root = root;
    this.defines = defines;
  }

  /** Parses template text; function names are checked at parse time as Go does. */
  public static GoTemplate parse(String name, String text, Map<String, TemplateFunction> funcs) {
    TemplateParser p = new TemplateParser(name, text, funcs);
    List<Node> nodes = p.parseList(true);
    return new GoTemplate(name, nodes, p.defines);
  }

  /** Executes with {@code dot} as the data. */
  public String execute(Object dot, Map<String, TemplateFunction> funcs) {
    StringBuilder out = new StringBuilder();
    TemplateExecutor ex = new TemplateExecutor(name, defines, funcs, out);
    ex.vars.add(new Object[] {"$", dot});
    ex.run(root, dot);
    return out.toString();
  }

  /** Objects with named fields, such as query result samples ({@code .Labels}, {@code .Value}). */
  public interface TemplateFields {
    Object field(String name);
  }
}
