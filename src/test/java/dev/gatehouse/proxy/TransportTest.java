package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportTest {

    @Test
    void prefersIoUringThenEpollThenNio() {
        Transport.Kind expected = IoUring.isAvailable() ? Transport.Kind.IO_URING
                : Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO;
        assertThat(Transport.best()).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void eachKindMakesItsOwnChannels(Transport.Kind kind) throws Exception {
        assumeTrue(kind.isAvailable(), kind + " is not available here");
        Transport transport = Transport.create(1, kind);
        try {
            Class<?> expected = switch (kind) {
                case IO_URING -> IoUringSocketChannel.class;
                case EPOLL -> EpollSocketChannel.class;
                case NIO -> NioSocketChannel.class;
            };
            assertThat(transport.kind()).isEqualTo(kind);
            assertThat(transport.newClientChannel()).isInstanceOf(expected);
            assertThat(transport.clientChannelClass()).isEqualTo(expected);
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theVariableNamesAKindOrIsRefused() {
        assertThat(Transport.parse("io_uring")).isEqualTo(Transport.Kind.IO_URING);
        assertThat(Transport.parse(" EPOLL ")).isEqualTo(Transport.Kind.EPOLL);
        assertThat(Transport.parse("nio")).isEqualTo(Transport.Kind.NIO);
        assertThatThrownBy(() -> Transport.parse("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GATEHOUSE_TRANSPORT=kqueue")
                .hasMessageContaining("io_uring, epoll or nio");
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void acceptedAndUpstreamSocketsSendWithoutDelay(Transport.Kind kind) throws Exception {
        assumeTrue(kind.isAvailable(), kind + " is not available here");
        Transport transport = Transport.create(1, kind);
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

    @ParameterizedTest
    @EnumSource(value = Transport.Kind.class, names = {"IO_URING", "EPOLL"})
    void socketsAcceptedWhereTheClientSpeaksFirstDelayTheirAcks(Transport.Kind kind) throws Exception {
        assumeTrue(kind.isAvailable(), kind + " is not available here");
        Transport transport = Transport.create(1, kind);
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
    void nioOnRequest() throws Exception {
        Transport transport = Transport.create(1, Transport.Kind.NIO);
        try {
            assertThat(transport.kind()).isEqualTo(Transport.Kind.NIO);
            assertThat(transport.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
            assertThat(transport.newClientChannel().config().isAutoRead()).isFalse();
        } finally {
            assertThat(transport.shutdownGracefully().await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(transport.workerGroup().isTerminated()).isTrue();
    }
}
