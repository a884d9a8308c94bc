package dev.gatehouse.cluster;

import dev.gatehouse.cluster.channel.ReplicatedChannel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** A channel that sends nothing, writes {@code section} to the snapshot, and takes every payload, or fails on it. */
record TestChannel(String name, byte[] section, boolean faulty) implements ReplicatedChannel {

    TestChannel(String name, byte[] section) {
        this(name, section, false);
    }

    @Override
    public void collect(Outbox outbox) {}

    @Override
    public boolean apply(String origin, boolean local, long sentAt, byte[] payload) {
        if (faulty) {
            throw new IllegalStateException("a bug in the channel");
        }
        return true;
    }

    @Override
    public void writeSnapshot(DataOutputStream out) throws IOException {
        out.write(section);
    }

    @Override
    public void restore(DataInputStream in) {}
}
