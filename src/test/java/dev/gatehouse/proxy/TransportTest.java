package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void usesEpollWhenTheNativeLibraryLoads() throws Exception {
        Transport transport = Transport.create(1);
        try {
            assertThat(transport.isEpoll()).isEqualTo(Epoll.isAvailable());
            if (transport.isEpoll()) {
                assertThat(transport.newClientChannel()).isInstanceOf(EpollSocketChannel.class);
            }
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void acceptedAndUpstreamSocketsSendWithoutDelay() throws Exception {
        Transport transport = Transport.create(1);
        CompletableFuture<Boolean> accepted = new CompletableFuture<>();
        try {
            Channel server = transport.serverBootstrap(false).childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    accepted.complete(ch.config().getOption(ChannelOption.TCP_NODELAY));
                }
            }).bind("127.0.0.1", 0).sync().channel();
            Channel upstream = transport.newClientChannel();
            transport.workerGroup().register(upstream).sync();
            upstream.connect(server.localAddress()).sync();

            assertThat(upstream.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            assertThat(accepted.get(10, TimeUnit.SECONDS)).isTrue();
            upstream.close().sync();
            server.close().sync();
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void nioWhenNativeIsNotAllowed() throws Exception {
        Transport transport = Transport.create(1, false);
        try {
            assertThat(transport.isEpoll()).isFalse();
            assertThat(transport.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
            assertThat(transport.clientChannelClass()).isEqualTo(NioSocketChannel.class);
            assertThat(transport.newClientChannel().config().isAutoRead()).isFalse();
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(transport.workerGroup().isTerminated()).isTrue();
    }
}
