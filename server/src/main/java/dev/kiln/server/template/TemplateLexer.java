package dev.kiln.server.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.kiln.server.template.TemplateAst.*;

/** Tokenises and parses the inside of one action into a pipeline. Single-use, single-thread. */
final class TemplateLexer {
  final String s;
  final TemplateParser parser;
  int i;

  TemplateLexer(String s, TemplateParser parser) {
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
        if (!parser.funcs.containsKey(id) && !TemplateBuiltins.isBuiltin(id)) {
          throw parser.err("function \"" + id + "\" not defined");
        }
        return new Fn(id);
    }
  }
}
