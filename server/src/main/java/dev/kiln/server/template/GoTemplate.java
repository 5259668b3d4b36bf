package dev.kiln.server.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed Go {@code text/template}: text, actions with pipelines and variables, {@code if},
 * {@code else if}, {@code range}, {@code with}, {@code define}/{@code template}, comments and
 * trim markers. Missing map keys yield the zero value (Prometheus uses {@code missingkey=zero}).
 * Immutable and thread-safe once parsed; execution state lives in each call.
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
    Parser p = new Parser(name, text, funcs);
    List<Node> nodes = p.parseList(true);
    return new GoTemplate(name, nodes, p.defines);
  }

  /** Executes with {@code dot} as the data. */
  public String execute(Object dot, Map<String, TemplateFunction> funcs) {
    StringBuilder out = new StringBuilder();
    Exec ex = new Exec(funcs, out);
    ex.vars.add(new Object[] {"$", dot});
    ex.run(root, dot);
    return out.toString();
  }

  // ---- AST ----

  private sealed interface Node permits Text, Action, If, Range, With, Call {}

  private record Text(String text) implements Node {}

  private record Action(Pipeline pipe) implements Node {}

  private record If(Pipeline cond, List<Node> then, List<Node> otherwise) implements Node {}

  private record Range(Pipeline pipe, List<Node> body, List<Node> otherwise) implements Node {}

  private record With(Pipeline pipe, List<Node> body, List<Node> otherwise) implements Node {}

  private record Call(String template, Pipeline arg) implements Node {}

  private record Pipeline(List<String> decl, boolean assign, List<List<Operand>> cmds) {}

  private sealed interface Operand permits Field, Var, Lit, Fn, Sub {}

  /** {@code .a.b}: fields of dot (empty path = dot itself). */
  private record Field(List<String> path) implements Operand {}

  private record Var(String name, List<String> path) implements Operand {}

  private record Lit(Object value) implements Operand {}

  private record Fn(String name) implements Operand {}

  private record Sub(Pipeline pipe, List<String> path) implements Operand {}

  // ---- parser ----

  private static final class Parser {
    final String name;
    final String text;
    final Map<String, TemplateFunction> funcs;
    final Map<String, List<Node>> defines = new HashMap<>();
    int pos;
    String pendingKeyword;
    Pipeline pendingPipe;
    boolean trimNextText;

    Parser(String name, String text, Map<String, TemplateFunction> funcs) {
      this.name = name;
      this.text = text;
      this.funcs = funcs;
    }

    TemplateException err(String msg) {
      int line = 1;
      for (int i = 0; i < Math.min(pos, text.length()); i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      return new TemplateException("template: " + name + ":" + line + ": " + msg);
    }

    /** Parses nodes until end of text (top) or a control keyword (end/else), left in pendingKeyword. */
    List<Node> parseList(boolean top) {
      List<Node> nodes = new ArrayList<>();
      while (pos < text.length()) {
        int open = text.indexOf("{{", pos);
        String chunk = open < 0 ? text.substring(pos) : text.substring(pos, open);
        if (trimNextText) {
          chunk = stripLeading(chunk);
          trimNextText = false;
        }
        if (open < 0) {
          if (!chunk.isEmpty()) {
            nodes.add(new Text(chunk));
          }
          pos = text.length();
          break;
        }
        int start = open + 2;
        boolean trimLeft = start + 1 < text.length() && text.charAt(start) == '-' && Character.isWhitespace(text.charAt(start + 1));
        if (trimLeft) {
          chunk = stripTrailing(chunk);
          start += 2;
        }
        if (!chunk.isEmpty()) {
          nodes.add(new Text(chunk));
        }
        int close = findClose(start);
        int end = close;
        boolean trimRight = close - 2 >= start && text.charAt(close - 1) == '-' && Character.isWhitespace(text.charAt(close - 2));
        if (trimRight) {
          end = close - 2;
        }
        String body = text.substring(start, end).trim();
        pos = close + 2;
        trimNextText = trimRight;
        if (body.startsWith("/*")) {
          if (!body.endsWith("*/")) {
            throw err("unclosed comment");
          }
          continue;
        }
        Lexer lx = new Lexer(body, this);
        String kw = lx.peekIdent();
        switch (kw == null ? "" : kw) {
          case "end" -> {
            lx.next();
            lx.expectEnd();
            if (top) {
              throw err("unexpected {{end}}");
            }
            pendingKeyword = "end";
            return nodes;
          }
          case "else" -> {
            lx.next();
            if (top) {
              throw err("unexpected {{else}}");
            }
            if (lx.peekIdent() != null && lx.peekIdent().equals("if")) {
              lx.next();
              pendingKeyword = "else if";
              pendingPipe = lx.pipeline(false);
            } else if (lx.peekIdent() != null && lx.peekIdent().equals("with")) {
              lx.next();
              pendingKeyword = "else with";
              pendingPipe = lx.pipeline(false);
            } else {
              lx.expectEnd();
              pendingKeyword = "else";
            }
            return nodes;
          }
          case "if" -> {
            lx.next();
            nodes.add(parseIf(lx.pipeline(false)));
          }
          case "range" -> {
            lx.next();
            Pipeline p = lx.pipeline(true);
            List<Node> body2 = parseList(false);
            List<Node> other = List.of();
            if ("else".equals(pendingKeyword)) {
              other = parseList(false);
            }
            expectEnd();
            nodes.add(new Range(p, body2, other));
          }
          case "with" -> {
            lx.next();
            nodes.add(parseWith(lx.pipeline(true)));
          }
          case "define" -> {
            lx.next();
            String dname = (String) lx.stringLiteral();
            lx.expectEnd();
            List<Node> body2 = parseList(false);
            expectEnd();
            defines.put(dname, body2);
          }
          case "template", "block" -> {
            boolean block = kw.equals("block");
            lx.next();
            String tname = (String) lx.stringLiteral();
            Pipeline arg = lx.atEnd() ? null : lx.pipeline(false);
            if (block) {
              List<Node> body2 = parseList(false);
              expectEnd();
              defines.putIfAbsent(tname, body2);
            }
            nodes.add(new Call(tname, arg));
          }
          default -> nodes.add(new Action(lx.pipeline(true)));
        }
      }
      if (!top) {
        throw err("unexpected EOF");
      }
      return nodes;
    }

    private If parseIf(Pipeline cond) {
      List<Node> then = parseList(false);
      List<Node> otherwise = List.of();
      if ("else if".equals(pendingKeyword)) {
        Pipeline next = pendingPipe;
        pendingKeyword = null;
        otherwise = List.of(parseIf(next));
        return new If(cond, then, otherwise);
      }
      if ("else".equals(pendingKeyword)) {
        otherwise = parseList(false);
      }
      expectEnd();
      return new If(cond, then, otherwise);
    }

    private With parseWith(Pipeline p) {
      List<Node> body = parseList(false);
      List<Node> otherwise = List.of();
      if ("else with".equals(pendingKeyword)) {
        Pipeline next = pendingPipe;
        pendingKeyword = null;
        otherwise = List.of(parseWith(next));
        return new With(p, body, otherwise);
      }
      if ("else".equals(pendingKeyword)) {
        otherwise = parseList(false);
      }
      expectEnd();
      return new With(p, body, otherwise);
    }

    private void expectEnd() {
      if (!"end".equals(pendingKeyword)) {
        throw err("expected {{end}}");
      }
      pendingKeyword = null;
    }

    private int findClose(int from) {
      boolean inStr = false;
      char q = 0;
      for (int i = from; i < text.length() - 1; i++) {
        char c = text.charAt(i);
        if (inStr) {
          if (c == '\\' && q == '"') {
            i++;
          } else if (c == q) {
            inStr = false;
          }
        } else if (c == '"' || c == '`' || c == '\'') {
          inStr = true;
          q = c;
        } else if (c == '}' && text.charAt(i + 1) == '}') {
          return i;
        }
      }
      pos = from;
      throw err("unclosed action");
    }

    private static String stripLeading(String s) {
      int i = 0;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return s.substring(i);
    }

    private static String stripTrailing(String s) {
      int i = s.length();
      while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
        i--;
      }
      return s.substring(0, i);
    }
  }

  /** Tokenises and parses the inside of one action. */
  private static final class Lexer {
    final String s;
    final Parser parser;
    int i;

    Lexer(String s, Parser parser) {
      this.s = s;
      this.parser = parser;
    }

    void skipWs() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    boolean atEnd() {
      skipWs();
      return i >= s.length();
    }

    void expectEnd() {
      if (!atEnd()) {
        throw parser.err("unexpected \"" + s.substring(i) + "\" in action");
      }
    }

    String peekIdent() {
      skipWs();
      int j = i;
      while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
        j++;
      }
      if (j == i || Character.isDigit(s.charAt(i))) {
        return null;
      }
      return s.substring(i, j);
    }

    void next() {
      String id = peekIdent();
      i += id.length();
    }

    Object stringLiteral() {
      skipWs();
      Operand o = operand();
      if (o instanceof Lit l && l.value instanceof String) {
        return l.value;
      }
      throw parser.err("expected a string");
    }

    Pipeline pipeline(boolean allowDecl) {
      List<String> decl = new ArrayList<>();
      boolean assign = false;
      skipWs();
      int save = i;
      if (allowDecl && i < s.length() && s.charAt(i) == '$') {
        List<String> names = new ArrayList<>();
        names.add(varName());
        skipWs();
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
          skipWs();
          names.add(varName());
          skipWs();
        }
        if (s.startsWith(":=", i) || (s.startsWith("=", i) && !s.startsWith("==", i))) {
          assign = s.charAt(i) == '=';
          i += assign ? 1 : 2;
          decl = names;
        } else {
          i = save;
        }
      }
      List<List<Operand>> cmds = new ArrayList<>();
      while (true) {
        List<Operand> cmd = new ArrayList<>();
        while (true) {
          skipWs();
          if (i >= s.length() || s.charAt(i) == '|' || s.charAt(i) == ')') {
            break;
          }
          cmd.add(operand());
        }
        if (cmd.isEmpty()) {
          throw parser.err("missing value for command");
        }
        cmds.add(cmd);
        skipWs();
        if (i < s.length() && s.charAt(i) == '|') {
          i++;
          continue;
        }
        break;
      }
      return new Pipeline(decl, assign, cmds);
    }

    private String varName() {
      int st = i;
      i++;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
        i++;
      }
      return s.substring(st, i);
    }

    private List<String> fieldPath() {
      List<String> path = new ArrayList<>();
      while (i < s.length() && s.charAt(i) == '.' && i + 1 < s.length() && (Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '_')) {
        i++;
        int st = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        path.add(s.substring(st, i));
      }
      return path;
    }

    Operand operand() {
      char c = s.charAt(i);
      if (c == '.') {
        if (i + 1 >= s.length() || !(Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '_')) {
          i++;
          return new Field(List.of());
        }
        return new Field(fieldPath());
      }
      if (c == '$') {
        String v = varName();
        return new Var(v, fieldPath());
      }
      if (c == '(') {
        i++;
        Pipeline p = pipeline(false);
        skipWs();
        if (i >= s.length() || s.charAt(i) != ')') {
          throw parser.err("unclosed left paren");
        }
        i++;
        return new Sub(p, fieldPath());
      }
      if (c == '"') {
        int st = i;
        i++;
        StringBuilder sb = new StringBuilder();
        while (i < s.length() && s.charAt(i) != '"') {
          char ch = s.charAt(i);
          if (ch == '\\' && i + 1 < s.length()) {
            char e = s.charAt(++i);
            switch (e) {
              case 'n' -> sb.append('\n');
              case 't' -> sb.append('\t');
              case '\\' -> sb.append('\\');
              case '"' -> sb.append('"');
              default -> sb.append('\\').append(e);
            }
          } else {
            sb.append(ch);
          }
          i++;
        }
        if (i >= s.length()) {
          i = st;
          throw parser.err("unterminated quoted string");
        }
        i++;
        return new Lit(sb.toString());
      }
      if (c == '`') {
        int end = s.indexOf('`', i + 1);
        if (end < 0) {
          throw parser.err("unterminated raw quoted string");
        }
        String v = s.substring(i + 1, end);
        i = end + 1;
        return new Lit(v);
      }
      if (Character.isDigit(c) || c == '-' || c == '+') {
        int st = i;
        i++;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_'
            || ((s.charAt(i) == '-' || s.charAt(i) == '+') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
          i++;
        }
        String num = s.substring(st, i);
        try {
          if (num.matches("[+-]?\\d+")) {
            return new Lit(Long.parseLong(num));
          }
          return new Lit(Double.parseDouble(num));
        } catch (NumberFormatException e) {
          throw parser.err("bad number syntax: \"" + num + "\"");
        }
      }
      String id = peekIdent();
      if (id == null) {
        throw parser.err("unexpected \"" + c + "\" in operand");
      }
      i += id.length();
      switch (id) {
        case "true":
          return new Lit(Boolean.TRUE);
        case "false":
          return new Lit(Boolean.FALSE);
        case "nil":
          return new Lit(null);
        default:
          if (!parser.funcs.containsKey(id) && !BUILTINS.contains(id)) {
            throw parser.err("function \"" + id + "\" not defined");
          }
          return new Fn(id);
      }
    }
  }

  private static final java.util.Set<String> BUILTINS = java.util.Set.of(
      "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js",
      "urlquery", "call", "slice");

  // ---- execution ----

  private final class Exec {
    final Map<String, TemplateFunction> funcs;
    final StringBuilder out;
    final List<Object[]> vars = new ArrayList<>();
    int depth;

    Exec(Map<String, TemplateFunction> funcs, StringBuilder out) {
      this.funcs = funcs;
      this.out = out;
    }

    void run(List<Node> nodes, Object dot) {
      int mark = vars.size();
      for (Node n : nodes) {
        if (n instanceof Text t) {
          out.append(t.text);
        } else if (n instanceof Action a) {
          Object v = pipe(a.pipe, dot);
          if (a.pipe.decl.isEmpty()) {
            out.append(GoFormat.v(v));
          }
        } else if (n instanceof If f) {
          run(truth(pipe(f.cond, dot)) ? f.then : f.otherwise, dot);
        } else if (n instanceof With w) {
          Object v = pipe(w.pipe, dot);
          if (truth(v)) {
            run(w.body, v);
          } else {
            run(w.otherwise, dot);
          }
        } else if (n instanceof Range r) {
          range(r, dot);
        } else if (n instanceof Call c) {
          List<Node> body = defines.get(c.template);
          if (body == null) {
            throw new TemplateException("template: " + name + ": no such template \"" + c.template + "\"");
          }
          if (++depth > 100) {
            throw new TemplateException("template: " + name + ": exceeded maximum template depth");
          }
          Exec inner = new Exec(funcs, out);
          Object arg = c.arg == null ? null : pipe(c.arg, dot);
          inner.vars.add(new Object[] {"$", arg});
          inner.depth = depth;
          inner.run(body, arg);
          depth--;
        }
      }
      while (vars.size() > mark) {
        vars.remove(vars.size() - 1);
      }
    }

    private void range(Range r, Object dot) {
      Object v = pipeNoDecl(r.pipe, dot);
      List<Object[]> items = new ArrayList<>();
      if (v instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
          items.add(new Object[] {e.getKey(), e.getValue()});
        }
      } else if (v instanceof List<?> l) {
        for (int k = 0; k < l.size(); k++) {
          items.add(new Object[] {(long) k, l.get(k)});
        }
      } else if (v instanceof Long n) {
        for (long k = 0; k < n; k++) {
          items.add(new Object[] {k, k});
        }
      } else if (v != null) {
        throw new TemplateException("template: " + name + ": range can't iterate over " + GoFormat.v(v));
      }
      if (items.isEmpty()) {
        run(r.otherwise, dot);
        return;
      }
      for (Object[] it : items) {
        int mark = vars.size();
        if (r.pipe.decl.size() == 1) {
          vars.add(new Object[] {r.pipe.decl.get(0), it[1]});
        } else if (r.pipe.decl.size() == 2) {
          vars.add(new Object[] {r.pipe.decl.get(0), it[0]});
          vars.add(new Object[] {r.pipe.decl.get(1), it[1]});
        }
        run(r.body, it[1]);
        while (vars.size() > mark) {
          vars.remove(vars.size() - 1);
        }
      }
    }

    private Object pipeNoDecl(Pipeline p, Object dot) {
      return evalCmds(p, dot);
    }

    Object pipe(Pipeline p, Object dot) {
      Object v = evalCmds(p, dot);
      if (!p.decl.isEmpty()) {
        if (p.assign) {
          setVar(p.decl.get(0), v);
        } else {
          vars.add(new Object[] {p.decl.get(0), v});
        }
      }
      return v;
    }

    private Object evalCmds(Pipeline p, Object dot) {
      Object piped = null;
      boolean hasPiped = false;
      for (List<Operand> cmd : p.cmds) {
        piped = command(cmd, dot, hasPiped, piped);
        hasPiped = true;
      }
      return piped;
    }

    private Object command(List<Operand> cmd, Object dot, boolean hasPiped, Object piped) {
      Operand first = cmd.get(0);
      if (first instanceof Fn fn) {
        List<Object> args = new ArrayList<>();
        for (int k = 1; k < cmd.size(); k++) {
          args.add(operand(cmd.get(k), dot));
        }
        if (hasPiped) {
          args.add(piped);
        }
        return call(fn.name, args, cmd, dot);
      }
      if (cmd.size() > 1 || hasPiped) {
        throw new TemplateException("template: " + name + ": can't give argument to non-function " + describe(first));
      }
      return operand(first, dot);
    }

    private String describe(Operand o) {
      if (o instanceof Field f) {
        return f.path.isEmpty() ? "." : "." + String.join(".", f.path);
      }
      if (o instanceof Var v) {
        return v.name;
      }
      return String.valueOf(o);
    }

    private Object operand(Operand o, Object dot) {
      if (o instanceof Lit l) {
        return l.value;
      }
      if (o instanceof Field f) {
        return walk(dot, f.path);
      }
      if (o instanceof Var v) {
        return walk(getVar(v.name), v.path);
      }
      if (o instanceof Sub sub) {
        return walk(pipe(sub.pipe, dot), sub.path);
      }
      if (o instanceof Fn fn) {
        return call(fn.name, new ArrayList<>(), List.of(o), dot);
      }
      throw new IllegalStateException("BUG: unknown operand");
    }

    private Object walk(Object v, List<String> path) {
      for (String field : path) {
        if (v instanceof Map<?, ?> m) {
          Object next = m.get(field);
          if (next == null && !m.containsKey(field)) {
            v = m.isEmpty() || m.values().iterator().next() instanceof String ? "" : null;
          } else {
            v = next;
          }
        } else if (v instanceof TemplateFields tf) {
          v = tf.field(field);
        } else {
          throw new TemplateException("template: " + name + ": can't evaluate field " + field + " in type " + typeOf(v));
        }
      }
      return v;
    }

    private String typeOf(Object v) {
      return v == null ? "interface {}" : v.getClass().getSimpleName();
    }

    private Object getVar(String n) {
      for (int k = vars.size() - 1; k >= 0; k--) {
        if (vars.get(k)[0].equals(n)) {
          return vars.get(k)[1];
        }
      }
      throw new TemplateException("template: " + name + ": undefined variable: " + n);
    }

    private void setVar(String n, Object v) {
      for (int k = vars.size() - 1; k >= 0; k--) {
        if (vars.get(k)[0].equals(n)) {
          vars.get(k)[1] = v;
          return;
        }
      }
      throw new TemplateException("template: " + name + ": undefined variable: " + n);
    }

    private Object call(String fn, List<Object> args, List<Operand> cmd, Object dot) {
      switch (fn) {
        case "and": {
          Object last = null;
          for (Object a : args) {
            last = a;
            if (!truth(a)) {
              return a;
            }
          }
          return last;
        }
        case "or": {
          Object last = null;
          for (Object a : args) {
            last = a;
            if (truth(a)) {
              return a;
            }
          }
          return last;
        }
        case "not":
          return !truth(args.get(0));
        case "len": {
          Object a = args.get(0);
          if (a instanceof String str) {
            return (long) str.length();
          }
          if (a instanceof Map<?, ?> m) {
            return (long) m.size();
          }
          if (a instanceof List<?> l) {
            return (long) l.size();
          }
          throw new TemplateException("template: " + name + ": len of " + typeOf(a));
        }
        case "index": {
          Object v = args.get(0);
          for (int k = 1; k < args.size(); k++) {
            if (v instanceof Map<?, ?> m) {
              v = m.containsKey(args.get(k)) ? m.get(args.get(k)) : "";
            } else if (v instanceof List<?> l) {
              long idx = ((Number) args.get(k)).longValue();
              if (idx < 0 || idx >= l.size()) {
                throw new TemplateException("template: " + name + ": error calling index: index out of range: " + idx);
              }
              v = l.get((int) idx);
            } else {
              throw new TemplateException("template: " + name + ": can't index item of type " + typeOf(v));
            }
          }
          return v;
        }
        case "print": {
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < args.size(); k++) {
            boolean bothNonString = k > 0 && !(args.get(k) instanceof String) && !(args.get(k - 1) instanceof String);
            if (bothNonString) {
              sb.append(' ');
            }
            sb.append(GoFormat.v(args.get(k)));
          }
          return sb.toString();
        }
        case "println": {
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < args.size(); k++) {
            if (k > 0) {
              sb.append(' ');
            }
            sb.append(GoFormat.v(args.get(k)));
          }
          return sb.append('\n').toString();
        }
        case "printf":
          return GoFormat.sprintf((String) args.get(0), args.subList(1, args.size()));
        case "eq": {
          Object a = args.get(0);
          for (int k = 1; k < args.size(); k++) {
            if (compare(a, args.get(k), true) == 0) {
              return true;
            }
          }
          return false;
        }
        case "ne":
          return compare(args.get(0), args.get(1), true) != 0;
        case "lt":
          return compare(args.get(0), args.get(1), false) < 0;
        case "le":
          return compare(args.get(0), args.get(1), false) <= 0;
        case "gt":
          return compare(args.get(0), args.get(1), false) > 0;
        case "ge":
          return compare(args.get(0), args.get(1), false) >= 0;
        case "html":
          return GoFormat.v(args.get(0)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
              .replace("\"", "&#34;").replace("'", "&#39;");
        case "js":
          return GoFormat.v(args.get(0)).replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"");
        case "urlquery":
          return java.net.URLEncoder.encode(GoFormat.v(args.get(0)), java.nio.charset.StandardCharsets.UTF_8);
        default:
          TemplateFunction f = funcs.get(fn);
          if (f == null) {
            throw new TemplateException("template: " + name + ": function \"" + fn + "\" not defined");
          }
          try {
            return f.apply(args);
          } catch (TemplateException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new TemplateException("template: " + name + ": error calling " + fn + ": " + e.getMessage());
          }
      }
    }

    private int compare(Object a, Object b, boolean eqOnly) {
      if (a instanceof Number x && b instanceof Number y) {
        if ((a instanceof Double) != (b instanceof Double)) {
          throw new TemplateException("template: " + name + ": error calling comparison: incompatible types for comparison");
        }
        return Double.compare(x.doubleValue(), y.doubleValue());
      }
      if (a instanceof String x && b instanceof String y) {
        return x.compareTo(y);
      }
      if (eqOnly) {
        if (a instanceof Boolean x && b instanceof Boolean y) {
          return x.equals(y) ? 0 : 1;
        }
        if (a == null || b == null) {
          return a == b ? 0 : 1;
        }
      }
      throw new TemplateException("template: " + name + ": error calling comparison: incompatible types for comparison");
    }
  }

  /** Go truthiness: false, 0, nil and empty strings, maps and lists are false. */
  static boolean truth(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  /** Objects with named fields, such as query result samples ({@code .Labels}, {@code .Value}). */
  public interface TemplateFields {
    Object field(String name);
  }
}
