package dev.gatehouse.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Builds the server {@link SslContext} of one certificate with a listener's protocol versions, suites, groups, ALPN and,
 * when it asks for them, the CA certificates client certificates must chain to.
 */
final class ContextBuilder {

    private ContextBuilder() {}

    static SslContext server(CertifiedKey certified, TlsSettings settings, TlsProvider provider) throws SSLException {
        boolean only13 = settings.minVersion().equals("1.3");
        List<String> ciphers = new ArrayList<>(TlsSettings.TLS13_CIPHERS);
        if (!only13) {
            ciphers.addAll(settings.ciphers());
        }
        SslContextBuilder b = SslContextBuilder.forServer(certified.key(), certified.chain().toArray(X509Certificate[]::new))
                .sslProvider(provider.netty())
                .protocols(only13 ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"})
                .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE);
        if (!settings.alpn().isEmpty()) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, settings.alpn()));
        }
        if (settings.clientAuth() != null) {
            b.trustManager(PemFiles.certificates(settings.clientAuth().ca()).toArray(X509Certificate[]::new))
                    .clientAuth(settings.clientAuth().required() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        if (provider == TlsProvider.OPENSSL) {
            b.option(OpenSslContextOption.GROUPS, settings.groups().stream().map(provider::groupName).toArray(String[]::new));
        }
        return b.build();
    }
}
