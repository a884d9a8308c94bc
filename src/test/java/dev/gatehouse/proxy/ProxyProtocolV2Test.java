package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Checks our header against Netty's independent PROXY protocol decoder. */
class ProxyProtocolV2Test {

    @Test
    void ipv4HeaderDecodesWithAddressesAndPorts() throws Exception {
        HAProxyMessage msg = decode(ProxyProtocolV2.encode(ByteBufAllocator.DEFAULT,
                new InetSocketAddress("10.1.2.3", 40000), new InetSocketAddress("192.0.2.10", 443)));
        try {
            assertThat(msg.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(msg.command()).isEqualTo(HAProxyCommand.PROXY);
            assertThat(msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(msg.sourceAddress()).isEqualTo("10.1.2.3");
            assertThat(msg.sourcePort()).isEqualTo(40000);
            assertThat(msg.destinationAddress()).isEqualTo("192.0.2.10");
            assertThat(msg.destinationPort()).isEqualTo(443);
        } finally {
            msg.release();
        }
    }

    @Test
    void mixedFamiliesAreSentAsIpv6WithMappedIpv4() throws Exception {
        HAProxyMessage msg = decode(ProxyProtocolV2.encode(ByteBufAllocator.DEFAULT,
                new InetSocketAddress("2001:db8::7", 65535), new InetSocketAddress("127.0.0.1", 8080)));
        try {
            assertThat(msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(InetAddress.getByName(msg.sourceAddress())).isEqualTo(InetAddress.getByName("2001:db8::7"));
            assertThat(msg.sourcePort()).isEqualTo(65535);
            // Java reads ::ffff:a.b.c.d back as the IPv4 address it maps.
            assertThat(InetAddress.getByName(msg.destinationAddress())).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(msg.destinationPort()).isEqualTo(8080);
        } finally {
            msg.release();
        }
    }

    @Test
    void localHeaderDecodesAsLocalWithoutAddresses() throws Exception {
        byte[] local = ProxyProtocolV2.local();
        assertThat(local).hasSize(16);
        HAProxyMessage msg = decode(Unpooled.wrappedBuffer(local));
        try {
            assertThat(msg.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(msg.command()).isEqualTo(HAProxyCommand.LOCAL);
            assertThat(msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
            assertThat(msg.sourceAddress()).isNull();
        } finally {
            msg.release();
        }
    }

    private static HAProxyMessage decode(ByteBuf header) {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        assertThat(ch.writeInbound(header)).isTrue();
        HAProxyMessage msg = ch.readInbound();
        assertThat(ch.finish()).isFalse();
        return msg;
    }
}
