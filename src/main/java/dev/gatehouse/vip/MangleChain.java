package dev.gatehouse.vip;

import java.util.ArrayList;
import java.util.List;

/**
 * One chain of this node's own in iptables' mangle table, jumped to from PREROUTING: where the drivers put the
 * rules that hand packets of connections this host does not know to the host that does.
 */
final class MangleChain {

    private final String name;
    private final CommandRunner commands;
    private boolean ready;

    MangleChain(String name, CommandRunner commands) {
        this.name = name;
        this.commands = commands;
    }

    String name() {
        return name;
    }

    /**
     * The chain, empty (rules a killed process left are stale) and jumped to from PREROUTING, once per process;
     * false without iptables.
     */
    boolean ready() {
        if (ready) {
            return true;
        }
        commands.start(iptables("-N", List.of(name))).join(); // fails when it exists: fine
        if (!flush().ok()) {
            return false;
        }
        List<String> jump = List.of("PREROUTING", "-j", name);
        ready = commands.start(iptables("-C", jump)).join().ok() || commands.start(iptables("-I", jump)).join().ok();
        return ready;
    }

    /** Empties the chain (fails when there is none). */
    CommandRunner.Result flush() {
        return commands.start(iptables("-F", List.of(name))).join();
    }

    /** Appends {@code rule} (its matches and target, without the chain's name). */
    CommandRunner.Result append(List<String> rule) {
        return commands.start(iptables("-A", inChain(rule))).join();
    }

    /** Deletes {@code rule} (as {@link #append}ed). */
    CommandRunner.Result delete(List<String> rule) {
        return commands.start(iptables("-D", inChain(rule))).join();
    }

    private List<String> inChain(List<String> rule) {
        List<String> all = new ArrayList<>(List.of(name));
        all.addAll(rule);
        return all;
    }

    private static List<String> iptables(String verb, List<String> rest) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "mangle", verb));
        command.addAll(rest);
        return command;
    }
}
