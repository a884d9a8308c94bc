package dev.gatehouse.lab;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who answers ARP for the VIP, asked by the client every few milliseconds (lab/arp-sample): a <em>dual-owner
 * instant</em> here is one request that two MACs answered, which is what a client that resolves the VIP at that
 * moment would meet, whatever each host's address list says. A frozen owner's kernel still holds the address for a
 * while; what matters is whether it still answers for it.
 */
public final class ArpSampler implements AutoCloseable {

    private final LabProcess sampler;

    ArpSampler(LabProcess sampler) {
        this.sampler = sampler;
        sampler.awaitLine(l -> l.startsWith("arp "), Duration.ofSeconds(10));
    }

    private List<List<String>> samples() {
        return sampler.lines().stream().filter(l -> l.startsWith("arp ")).map(l -> l.split(" ", 3)[2])
                .map(macs -> macs.equals("-") ? List.<String>of() : Arrays.asList(macs.split(","))).toList();
    }

    public int samplesTaken() {
        return samples().size();
    }

    /** Requests that two or more MACs answered. */
    public long dualOwnerInstants() {
        return samples().stream().filter(macs -> macs.size() >= 2).count();
    }

    /** Every MAC that answered any request. */
    public Set<String> answered() {
        Set<String> all = new TreeSet<>();
        samples().forEach(all::addAll);
        return all;
    }

    /** Waits until at least {@code more} further requests have been answered or not. */
    public void awaitSamples(int more) {
        int target = samplesTaken() + more;
        await().atMost(Duration.ofSeconds(10)).until(() -> samplesTaken() >= target);
    }

    public String summary() {
        return "arp_samples=" + samplesTaken() + " arp_dual_owner_instants=" + dualOwnerInstants() + " arp_macs=" + answered();
    }

    @Override
    public void close() {
        sampler.close();
    }
}
