package dev.gatehouse.bgp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The speaker's meters, named gatehouse_bgp_*; sessions are tagged with their peer's address and port. */
final class BgpMetrics implements SessionListener {

    private final MeterRegistry registry;

    BgpMetrics(MeterRegistry registry, Supplier<Integer> announced) {
        this.registry = registry;
        Gauge.builder("gatehouse_bgp_announced_routes", announced::get)
                .description("Host routes this speaker announces now").register(registry);
    }

    /** Registers the gauges of one session. */
    void register(Session session) {
        Gauge.builder("gatehouse_bgp_session_established", session,
                        s -> s.state() == SessionState.ESTABLISHED ? 1 : 0)
                .description("1 while the session is Established").tag("peer", peerTag(session.peer())).register(registry);
        Gauge.builder("gatehouse_bgp_session_state", session, s -> s.state().ordinal())
                .description("RFC 4271 state: 0 Idle, 1 Connect, 2 Active, 3 OpenSent, 4 OpenConfirm, 5 Established")
                .tag("peer", peerTag(session.peer())).register(registry);
    }

    @Override
    public void stateChanged(PeerSettings peer, SessionState from, SessionState to) {
        if (from == SessionState.ESTABLISHED) {
            Counter.builder("gatehouse_bgp_session_flaps").description("Times a session left Established")
                    .tag("peer", peerTag(peer)).register(registry).increment();
        }
    }

    @Override
    public void malformed(PeerSettings peer, Notification sent) {
        Counter.builder("gatehouse_bgp_malformed_messages")
                .description("Messages refused with a NOTIFICATION, by its code and subcode")
                .tags("peer", peerTag(peer), "code", sent.code() + "/" + sent.subcode()).register(registry).increment();
    }

    @Override
    public void bfdDown(PeerSettings peer, String why) {
        Counter.builder("gatehouse_bgp_bfd_teardowns")
                .description("Sessions torn down because their BFD session went from Up to Down")
                .tag("peer", peerTag(peer)).register(registry).increment();
    }

    void updateSent(boolean withdraw) {
        Counter.builder("gatehouse_bgp_route_changes").description("Routes announced and withdrawn by this speaker")
                .tag("change", withdraw ? "withdraw" : "announce").register(registry).increment();
    }

    private static String peerTag(PeerSettings peer) {
        return peer.address().getHostAddress() + ":" + peer.port();
    }
}
