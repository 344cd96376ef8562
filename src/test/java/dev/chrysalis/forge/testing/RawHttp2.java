package dev.chrysalis.forge.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 (prior knowledge, cleartext) request written with Netty's frame codec and header
 * validation off, for header values an HTTP client library refuses to send.
 */
public final class RawHttp2 {

  public record Response(int status, String body) {
  }

  private RawHttp2() {
  }

  public static Response send(String baseUrl, String method, String path, Map<String, String> headers, String body)
    throws Exception {
    URI uri = URI.create(baseUrl);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
              new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                }
              }));
          }
        })
        .connect(uri.getHost(), uri.getPort()).sync().channel();
      CompletableFuture<Response> answer = new CompletableFuture<>();
      StringBuilder received = new StringBuilder();
      int[] status = {0};
      Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
        .handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame h) {
              if (h.headers().status() != null) {
                status[0] = Integer.parseInt(h.headers().status().toString());
              }
              if (h.isEndStream()) {
                answer.complete(new Response(status[0], received.toString()));
              }
            } else if (frame instanceof Http2DataFrame d) {
              received.append(d.content().toString(StandardCharsets.UTF_8));
              if (d.isEndStream()) {
                answer.complete(new Response(status[0], received.toString()));
              }
            } else if (frame instanceof Http2ResetFrame r) {
              answer.complete(new Response(-1, "reset " + r.errorCode()));
            }
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            answer.complete(new Response(-1, "stream closed"));
          }
        }).open().sync().getNow();
      Http2Headers h = new DefaultHttp2Headers(false);
      h.method(method).path(path).scheme("http").authority(uri.getHost() + ":" + uri.getPort());
      headers.forEach(h::add);
      boolean hasBody = body != null;
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, !hasBody));
      if (hasBody) {
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
      }
      Response r = answer.get(20, TimeUnit.SECONDS);
      channel.close().sync();
      return r;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
