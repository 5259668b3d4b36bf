package dev.kiln.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --web.max-connections} as Go's {@code netutil.LimitListener}: at the limit the server
 * stops accepting (connections wait in the kernel's backlog) until one closes. Thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private volatile Channel server;

  ConnectionLimit(int max) {
    this.max = max;
  }

  void serverChannel(Channel server) {
    this.server = server;
    if (open.get() >= max) {
      server.config().setAutoRead(false);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() >= max) {
      Channel s = server;
      if (s != null) {
        s.config().setAutoRead(false);
      }
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (open.decrementAndGet() < max) {
      Channel s = server;
      if (s != null) {
        s.config().setAutoRead(true);
      }
    }
    super.channelInactive(ctx);
  }

  int open() {
    return open.get();
  }
}
