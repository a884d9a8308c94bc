package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
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
