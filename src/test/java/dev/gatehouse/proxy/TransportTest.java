package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Socket;
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
    void socketsAcceptedWhereTheClientSpeaksFirstDelayTheirAcks() throws Exception {
        assumeTrue(Epoll.isAvailable(), "TCP_QUICKACK is set through the epoll transport");
        Transport transport = Transport.create(1);
        try {
            assertThat(quickAckOfAcceptedSocket(transport, false)).isEqualTo(1);
            assertThat(quickAckOfAcceptedSocket(transport, true)).isEqualTo(0);
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Linux reports TCP_QUICKACK 0 while a socket delays its ACKs (pingpong mode), 1 otherwise. */
    private static int quickAckOfAcceptedSocket(Transport transport, boolean delayAcks) throws Exception {
        CompletableFuture<Integer> accepted = new CompletableFuture<>();
        Channel server = transport.serverBootstrap(false).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accepted.complete(ch.config().getOption(Transport.TCP_QUICKACK));
            }
        }).bind("127.0.0.1", 0).sync().channel();
        if (delayAcks) {
            transport.delayAcks(server);
        }
        try (Socket client = new Socket()) {
            client.connect(server.localAddress());
            return accepted.get(10, TimeUnit.SECONDS);
        } finally {
            server.close().sync();
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
