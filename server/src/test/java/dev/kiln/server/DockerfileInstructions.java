package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile as its list of instructions (keyword and arguments), with line continuations joined
 * and comments dropped; enough to check what an image would contain without building it.
 */
record DockerfileInstructions(List<Instruction> all) {
  /** One instruction, e.g. {@code COPY a b}. */
  record Instruction(String keyword, String args) {}

  static DockerfileInstructions parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.startsWith("#")) {
        continue;
      }
      if (t.endsWith("\\")) {
        cur.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      cur.append(t);
      String s = cur.toString().strip();
      cur.setLength(0);
      int sp = s.indexOf(' ');
      out.add(new Instruction(s.substring(0, sp).toUpperCase(Locale.ROOT), s.substring(sp + 1).strip()));
    }
    return new DockerfileInstructions(List.copyOf(out));
  }

  /** Instructions after the last FROM: the final image's. */
  DockerfileInstructions lastStage() {
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return new DockerfileInstructions(all.subList(from, all.size()));
  }

  List<String> args(String keyword) {
    return all.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
  }

  /** The single instruction of this keyword's arguments. */
  String only(String keyword) {
    List<String> a = args(keyword);
    if (a.size() != 1) {
      throw new IllegalArgumentException("want one " + keyword + ", found " + a.size());
    }
    return a.get(0);
  }

  /** An exec-form (JSON array) instruction's words. */
  List<String> execForm(String keyword) {
    try {
      JsonNode arr = new ObjectMapper().readTree(only(keyword));
      if (!arr.isArray()) {
        throw new IllegalArgumentException(keyword + " is not in exec form");
      }
      List<String> out = new ArrayList<>();
      arr.forEach(n -> out.add(n.asText()));
      return out;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(keyword + " is not in exec form", e);
    }
  }
}
