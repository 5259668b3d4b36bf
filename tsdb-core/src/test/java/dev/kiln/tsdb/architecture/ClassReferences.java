package dev.kiln.tsdb.architecture;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes one compiled class refers to, read from its constant pool: every class entry
 * (superclass, interfaces, method owners, casts, nested classes) and every class named in a
 * field, method or generic signature descriptor. Unlike a source file's import lines this also
 * sees fully qualified names and types reached through method chains ({@code db.head().x()}).
 * Names are binary names with dots ({@code dev.kiln.tsdb.head.Head$Stats}).
 */
public final class ClassReferences {
  private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([A-Za-z_$][\\w$/]*)[;<]");

  private ClassReferences() {}

  /**
   * Reads the class file {@code bytes}.
   *
   * @return this class's name and the names it refers to (itself included)
   * @throws IOException when the bytes are not a class file
   */
  public static Set<String> of(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file (bad magic)");
    }
    in.readUnsignedShort(); // minor version
    in.readUnsignedShort(); // major version
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    int[] classNameIndex = new int[count];
    int classes = 0;
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classNameIndex[classes++] = in.readUnsignedShort();
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        case 5, 6 -> {
          in.readLong();
          i++; // 8-byte constants take two slots
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
      }
    }
    Set<String> out = new TreeSet<>();
    for (int c = 0; c < classes; c++) {
      String name = utf8[classNameIndex[c]];
      if (name.startsWith("[")) {
        addDescriptorClasses(name, out);
      } else {
        out.add(name.replace('/', '.'));
      }
    }
    for (String s : utf8) {
      if (s != null && s.indexOf(';') >= 0) {
        addDescriptorClasses(s, out);
      }
    }
    return out;
  }

  private static void addDescriptorClasses(String descriptor, Set<String> out) {
    Matcher m = DESCRIPTOR_CLASS.matcher(descriptor);
    while (m.find()) {
      out.add(m.group(1).replace('/', '.'));
    }
  }

  /** The package of a binary class name ({@code a.b.C$D} → {@code a.b}). */
  public static String packageOf(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? "" : className.substring(0, dot);
  }
}
