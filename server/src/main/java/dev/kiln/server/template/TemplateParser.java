package dev.kiln.server.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.kiln.server.template.TemplateAst.*;

/**
 * Parses template text into {@link TemplateAst} nodes and collects {@code define}d templates;
 * each action's inside is read by a {@link TemplateLexer}. Single-use, single-thread.
 */
final class TemplateParser {
  final String name;
  final String text;
  final Map<String, TemplateFunction> funcs;
  final Map<String, List<Node>> defines = new HashMap<>();
  int pos;
  String pendingKeyword;
  Pipeline pendingPipe;
  boolean trimNextText;
  /** How many {@code range} bodies enclose the text being parsed ({@code break}/{@code continue} need one). */
  int rangeDepth;

  TemplateParser(String name, String text, Map<String, TemplateFunction> funcs) {
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
      TemplateLexer lx = new TemplateLexer(body, this);
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
        case "break", "continue" -> {
          lx.next();
          if (!lx.atEnd()) {
            throw err("unexpected " + lx.peekIdent() + " in {{" + kw + "}}");
          }
          if (rangeDepth == 0) {
            throw err("{{" + kw + "}} outside {{range}}");
          }
          nodes.add(kw.equals("break") ? Break.INSTANCE : Continue.INSTANCE);
        }
        case "range" -> {
          lx.next();
          Pipeline p = lx.pipeline(true);
          // As Go: only the body is inside the range; its else branch is not.
          rangeDepth++;
          List<Node> body2 = parseList(false);
          rangeDepth--;
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
          // A definition is a template of its own: a range around it does not reach into it.
          int outerDepth = rangeDepth;
          rangeDepth = 0;
          List<Node> body2 = parseList(false);
          rangeDepth = outerDepth;
          expectEnd();
          defines.put(dname, body2);
        }
        case "template", "block" -> {
          boolean block = kw.equals("block");
          lx.next();
          String tname = (String) lx.stringLiteral();
          Pipeline arg = lx.atEnd() ? null : lx.pipeline(false);
          if (block) {
            int outerDepth = rangeDepth;
            rangeDepth = 0;
            List<Node> body2 = parseList(false);
            rangeDepth = outerDepth;
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
