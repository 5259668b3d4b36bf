package dev.kiln.server.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.kiln.server.template.TemplateAst.*;

/**
 * Runs parsed template nodes, writing to one output buffer: variables, pipelines, field access,
 * {@code if}/{@code with}/{@code range} and {@code template} calls. Single-use, single-thread.
 */
final class TemplateExecutor {
  final String name;
  final Map<String, List<Node>> defines;
  final TemplateBuiltins builtins;
  final Map<String, TemplateFunction> funcs;
  final StringBuilder out;
  final List<Object[]> vars = new ArrayList<>();
  int depth;

  TemplateExecutor(
      String name, Map<String, List<Node>> defines, Map<String, TemplateFunction> funcs, StringBuilder out) {
    this.name = name;
    this.defines = defines;
    this.funcs = funcs;
    this.out = out;
    this.builtins = new TemplateBuiltins(name, funcs);
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
        run(TemplateBuiltins.truth(pipe(f.cond, dot)) ? f.then : f.otherwise, dot);
      } else if (n instanceof With w) {
        Object v = pipe(w.pipe, dot);
        if (TemplateBuiltins.truth(v)) {
          run(w.body, v);
        } else {
          run(w.otherwise, dot);
        }
      } else if (n instanceof Range r) {
        range(r, dot);
      } else if (n instanceof Break) {
        throw LoopControl.BREAK;
      } else if (n instanceof Continue) {
        throw LoopControl.CONTINUE;
      } else if (n instanceof Call c) {
        List<Node> body = defines.get(c.template);
        if (body == null) {
          throw new TemplateException("template: " + name + ": no such template \"" + c.template + "\"");
        }
        if (++depth > 100) {
          throw new TemplateException("template: " + name + ": exceeded maximum template depth");
        }
        TemplateExecutor inner = new TemplateExecutor(name, defines, funcs, out);
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
      try {
        run(r.body, it[1]);
      } catch (LoopControl c) {
        if (c == LoopControl.BREAK) {
          truncateVars(mark);
          return;
        }
      }
      truncateVars(mark);
    }
  }

  private void truncateVars(int mark) {
    while (vars.size() > mark) {
      vars.remove(vars.size() - 1);
    }
  }

  /**
   * {@code {{break}}} or {@code {{continue}}} unwinding to the innermost range. The parser allows
   * them only inside a range body, so one always catches them.
   */
  private static final class LoopControl extends RuntimeException {
    static final LoopControl BREAK = new LoopControl("break");
    static final LoopControl CONTINUE = new LoopControl("continue");

    private LoopControl(String what) {
      super(what, null, false, false);
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
    if (first instanceof Fn fn && (fn.name.equals("and") || fn.name.equals("or"))) {
      return andOr(fn.name.equals("and"), cmd, dot, hasPiped, piped);
    }
    if (first instanceof Fn fn) {
      List<Object> args = new ArrayList<>();
      for (int k = 1; k < cmd.size(); k++) {
        args.add(operand(cmd.get(k), dot));
      }
      if (hasPiped) {
        args.add(piped);
      }
      return builtins.call(fn.name, args);
    }
    if (cmd.size() > 1 || hasPiped) {
      throw new TemplateException("template: " + name + ": can't give argument to non-function " + describe(first));
    }
    return operand(first, dot);
  }

  /**
   * Go's {@code and} and {@code or} (Go 1.18 on): arguments are evaluated left to right only until
   * the result is known, so {@code and .X (index .X 0)} never indexes an empty X. {@code and}
   * returns the first falsy argument, {@code or} the first truthy one, else the last argument (a
   * piped value comes last).
   */
  private Object andOr(boolean and, List<Operand> cmd, Object dot, boolean hasPiped, Object piped) {
    int count = cmd.size() - 1 + (hasPiped ? 1 : 0);
    if (count == 0) {
      throw new TemplateException("template: " + name + ": wrong number of args for " + (and ? "and" : "or")
          + ": want at least 1 got 0");
    }
    Object v = null;
    for (int k = 1; k < cmd.size(); k++) {
      v = operand(cmd.get(k), dot);
      if (TemplateBuiltins.truth(v) != and) {
        return v;
      }
    }
    return hasPiped ? piped : v;
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
      return builtins.call(fn.name, new ArrayList<>());
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
      } else if (v instanceof GoTemplate.TemplateFields tf) {
        v = tf.field(field);
      } else {
        throw new TemplateException("template: " + name + ": can't evaluate field " + field + " in type " + TemplateBuiltins.typeOf(v));
      }
    }
    return v;
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

}
