package dev.kiln.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyMemoryDefaultsTest {
  @Test
  void setsOnePooledArenaOfSmallChunksWhenNothingIsSet() {
    Properties p = new Properties();
    NettyMemoryDefaults.apply(p);
    assertEquals("pooled", p.getProperty("io.netty.allocator.type"));
    assertEquals("1", p.getProperty("io.netty.allocator.numDirectArenas"));
    assertEquals("1", p.getProperty("io.netty.allocator.numHeapArenas"));
    assertEquals("7", p.getProperty("io.netty.allocator.maxOrder"));
    assertEquals(4, p.size());
  }

  @Test
  void keepsWhatTheUserSet() {
    Properties p = new Properties();
    p.setProperty("io.netty.allocator.type", "adaptive");
    p.setProperty("io.netty.allocator.numDirectArenas", "4");
    NettyMemoryDefaults.apply(p);
    assertEquals("adaptive", p.getProperty("io.netty.allocator.type"));
    assertEquals("4", p.getProperty("io.netty.allocator.numDirectArenas"));
    assertEquals("7", p.getProperty("io.netty.allocator.maxOrder"));
  }
}
