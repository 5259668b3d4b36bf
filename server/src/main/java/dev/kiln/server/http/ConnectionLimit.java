package dev.kiln.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code --web.max-connections}, with the effect of Go's {@code netutil.LimitListener}: beyond the
 * limit a new connection is held unread (nothing is served, a TLS handshake does not proceed)
 * until an earlier one closes, then it is served in arrival order. Thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private final int max;
  private int served;
  private final Deque<Channel> waiting = new ArrayDeque<>();

  ConnectionLimit(int max) {
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    boolean hold;
    synchronized (this) {
      hold = served >= max;
      if (hold) {
        waiting.addLast(ctx.channel());
      } else {
        served++;
      }
    }
    if (hold) {
      ctx.channel().config().setAutoRead(false);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Channel next = null;
    synchronized (this) {
      if (!waiting.remove(ctx.channel())) {
        served--;
        while (!waiting.isEmpty() && next == null) {
          Channel c = waiting.pollFirst();
          if (c.isActive()) {
            next = c;
            served++;
          }
        }
      }
    }
    if (next != null) {
      next.config().setAutoRead(true);
    }
    super.channelInactive(ctx);
  }

  /** Connections being served (not held). */
  synchronized int open() {
    return served;
  }
}
