package dev.kiln.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * After the TLS handshake, sets up HTTP/2 (each stream converted to the same full HTTP requests
 * the HTTP/1.1 pipeline produces, served by the same dispatcher) or HTTP/1.1, as ALPN chose.
 */
final class Http2Negotiation extends ApplicationProtocolNegotiationHandler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http2Negotiation.class);
  private final Consumer<ChannelPipeline> http1;
  private final Supplier<ChannelHandler> dispatcher;
  private final int maxBodyBytes;

  Http2Negotiation(Consumer<ChannelPipeline> http1, Supplier<ChannelHandler> dispatcher, int maxBodyBytes) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.http1 = http1;
    this.dispatcher = dispatcher;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** A failed handshake (no or bad client certificate) is the client's problem: logged at debug, not warn. */
  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("TLS handshake failed from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      ctx.pipeline().addLast(
          Http2FrameCodecBuilder.forServer().initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(1 << 20)).build(),
          new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
              ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new HttpContentCompressor(),
                  new HttpObjectAggregator(maxBodyBytes), dispatcher.get());
            }
          }));
    } else {
      http1.accept(ctx.pipeline());
    }
  }
}
