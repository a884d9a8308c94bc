package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({"127.0.0.1:8080, 127.0.0.1, 8080", "[::1]:443, ::1, 443", "[2001:db8::1]:1, 2001:db8::1, 1",
            "backend-1.example.com:65535, backend-1.example.com, 65535", "localhost:80, localhost, 80"})
    void parsesHostPort(String text, String host, int port) {
        HostPort hp = Addresses.hostPort(text);
        assertThat(hp).isEqualTo(new HostPort(host, port));
        assertThat(hp.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1 | must be host:port, got '127.0.0.1'",
        "127.0.0.1:0 | port must be 1..65535, got 0",
        "127.0.0.1:65536 | port must be 1..65535, got 65536",
        "127.0.0.1:http | port must be a number 1..65535, got 'http'",
        "256.0.0.1:80 | must be an IPv4 address, got '256.0.0.1'",
        "1.2.3:80 | must be an IPv4 address, got '1.2.3'",
        "::1:80 | an IPv6 address needs brackets, as in [::1]:8080, got '::1:80'",
        "[::g]:80 | must be an IPv6 address, got '[::g]:80'",
        "[::1]80 | must be [IPv6]:port, got '[::1]80'",
        "bad_host:80 | must be a host name or IP address, got 'bad_host'",
        ":80 | must be a host name or IP address, got ''"})
    void rejectsBadHostPort(String text, String message) {
        assertThatThrownBy(() -> Addresses.hostPort(text)).hasMessage(message);
    }

    @Test
    void parsesBinds() {
        assertThat(Addresses.bind("vip:front:80")).isEqualTo(Bind.onVip("front", 80));
        assertThat(Addresses.bind("0.0.0.0:8080")).isEqualTo(Bind.plain(new HostPort("0.0.0.0", 8080)));
        assertThatThrownBy(() -> Addresses.bind("vip:front")).hasMessage("must be vip:NAME:PORT, got 'vip:front'");
        assertThatThrownBy(() -> Addresses.bind("vip:front:0")).hasMessage("port must be 1..65535, got 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.10", "2001:db8::10", "0.0.0.0"})
    void acceptsIpLiterals(String text) {
        assertThat(Addresses.ip(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "1.2.3", "[::1]", "300.1.1.1"})
    void rejectsNonLiterals(String text) {
        assertThatThrownBy(() -> Addresses.ip(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.51.100.0/24", "0.0.0.0/0", "203.0.113.7/32", "2001:db8::/32"})
    void acceptsNetworks(String text) {
        assertThat(Addresses.cidr(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "198.51.100.0 | must be a network such as 198.51.100.0/24, got '198.51.100.0'",
        "198.51.100.0/33 | prefix length must be 0..32, got '198.51.100.0/33'",
        "198.51.100.1/24 | address has bits set beyond the /24 prefix: '198.51.100.1/24'",
        "example.com/24 | must be an IP address, got 'example.com'"})
    void rejectsBadNetworks(String text, String message) {
        assertThatThrownBy(() -> Addresses.cidr(text)).hasMessage(message);
    }

    @Test
    void checksNamesAndTokens() {
        assertThat(Names.identifier("shop-edge_1.a")).isEqualTo("shop-edge_1.a");
        assertThatThrownBy(() -> Names.identifier("-web")).hasMessageContaining("got '-web'");
        assertThatThrownBy(() -> Names.identifier("a b")).hasMessageContaining("got 'a b'");
        assertThat(Names.token("GH_ROUTE")).isEqualTo("GH_ROUTE");
        assertThatThrownBy(() -> Names.token("my cookie")).hasMessageContaining("got 'my cookie'");
        assertThatThrownBy(() -> Names.token("a=b")).hasMessageContaining("got 'a=b'");
    }
}
