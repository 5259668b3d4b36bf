package dev.kiln.server.template;

import java.util.List;

/** The syntax tree of a parsed template: nodes of the template body and pipelines in actions. */
final class TemplateAst {
  private TemplateAst() {}

  /** A piece of template body. */
  sealed interface Node permits Text, Action, If, Range, With, Call, Break, Continue {}

  static final class Text implements Node {
    final String text;

    Text(String text) {
      this.text = text;
    }
  }

  static final class Action implements Node {
    final Pipeline pipe;

    Action(Pipeline pipe) {
      this.pipe = pipe;
    }
  }

  static final class If implements Node {
    final Pipeline cond;
    final List<Node> then;
    final List<Node> otherwise;

    If(Pipeline cond, List<Node> then, List<Node> otherwise) {
      this.cond = cond;
      this.then = then;
      this.otherwise = otherwise;
    }
  }

  static final class Range implements Node {
    final Pipeline pipe;
    final List<Node> body;
    final List<Node> otherwise;

    Range(Pipeline pipe, List<Node> body, List<Node> otherwise) {
      this.pipe = pipe;
      this.body = body;
      this.otherwise = otherwise;
    }
  }

  static final class With implements Node {
    final Pipeline pipe;
    final List<Node> body;
    final List<Node> otherwise;

    With(Pipeline pipe, List<Node> body, List<Node> otherwise) {
      this.pipe = pipe;
      this.body = body;
      this.otherwise = otherwise;
    }
  }

  /** {@code {{break}}}: ends the innermost {@code range}. */
  static final class Break implements Node {
    static final Break INSTANCE = new Break();

    private Break() {}
  }

  /** {@code {{continue}}}: goes on with the next iteration of the innermost {@code range}. */
  static final class Continue implements Node {
    static final Continue INSTANCE = new Continue();

    private Continue() {}
  }

  static final class Call implements Node {
    final String template;
    final Pipeline arg;

    Call(String template, Pipeline arg) {
      this.template = template;
      this.arg = arg;
    }
  }

  static final class Pipeline {
    final List<String> decl;
    final boolean assign;
    final List<List<Operand>> cmds;

    Pipeline(List<String> decl, boolean assign, List<List<Operand>> cmds) {
      this.decl = decl;
      this.assign = assign;
      this.cmds = cmds;
    }
  }

  /** An argument or command head in a pipeline. */
  sealed interface Operand permits Field, Var, Lit, Fn, Sub {}

  /** {@code .a.b}: fields of dot (empty path = dot itself). */
  static final class Field implements Operand {
    final List<String> path;

    Field(List<String> path) {
      this.path = path;
    }
  }

  static final class Var implements Operand {
    final String name;
    final List<String> path;

    Var(String name, List<String> path) {
      this.name = name;
      this.path = path;
    }
  }

  static final class Lit implements Operand {
    final Object value;

    Lit(Object value) {
      this.value = value;
    }
  }

  static final class Fn implements Operand {
    final String name;

    Fn(String name) {
      this.name = name;
    }
  }

  static final class Sub implements Operand {
    final Pipeline pipe;
    final List<String> path;

    Sub(Pipeline pipe, List<String> path) {
      this.pipe = pipe;
      this.path = path;
    }
  }
}
