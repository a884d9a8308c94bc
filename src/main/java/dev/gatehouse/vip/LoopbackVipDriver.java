package dev.gatehouse.vip;

import dev.gatehouse.config.ClusterConfig.VipConfig;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded default: a VIP is a 127.x address that the owner binds its {@code vip:} listeners on. Binding is
 * the node's business, so this driver only calls the node's callback and remembers what it holds.
 *
 * <p>Handover on loopback is release-then-acquire: two processes cannot both bind one address and port (without
 * SO_REUSEPORT), so the old owner closes its listeners before the new one binds, and the client sees a gap of a
 * few consensus round trips.
 */
public final class LoopbackVipDriver implements VipDriver {

    /** What the node does when it gains or loses a VIP. */
    public interface Binding {
        void bind(VipConfig vip) throws Exception;

        void unbind(VipConfig vip) throws Exception;
    }

    private final Binding binding;
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    public LoopbackVipDriver(Binding binding) {
        this.binding = Objects.requireNonNull(binding, "binding");
    }

    @Override
    public void acquire(VipConfig vip) throws Exception {
        binding.bind(vip);
        held.add(vip.name());
    }

    @Override
    public void release(VipConfig vip) throws Exception {
        if (held.remove(vip.name())) {
            binding.unbind(vip);
        }
    }

    @Override
    public void refresh(VipConfig vip) {
        // nothing to announce on loopback
    }

    public boolean holds(String vipName) {
        return held.contains(vipName);
    }
}
