package dev.gatehouse.bfd;

import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;

import java.nio.file.Path;
import java.util.List;

/**
 * A real BFD implementation in the router namespace, configured for one single-hop session to Gatehouse. What it
 * decides is read from the packets it sends ({@link WireWatch}); its log and its own show command are for people.
 */
abstract class RouterPeer {

    private final LabProcess process;

    RouterPeer(LabProcess process) {
        this.process = process;
    }

    abstract String name();

    /** What the peer shows of the session right now, for the test's output. */
    abstract String show();

    LabProcess process() {
        return process;
    }

    /** BIRD 2 (its {@code bfd} protocol): one neighbour, the interval and multiplier on the interface. */
    static RouterPeer bird(NamespacePair lab, long intervalMillis) {
        Path log = lab.dir.resolve("bird.log");
        Path socket = lab.dir.resolve("bird.ctl");
        Path config = lab.write("bird.conf", """
                router id %s;
                log "%s" all;
                timeformat log "%%F %%T.%%3f";
                protocol device { scan time 1; }
                protocol bfd {
                  debug { states, events };
                  interface "eth0" { interval %d ms; multiplier %d; };
                  neighbor %s local %s;
                }
                """.formatted(NamespacePair.ROUTER_ADDRESS, log, intervalMillis, BfdInteropTest.MULTIPLIER,
                NamespacePair.GATEHOUSE_ADDRESS, NamespacePair.ROUTER_ADDRESS));
        String bird = Tools.require("bird", "bird2").toString();
        LabProcess process = lab.spawn(lab.router, "bird", List.of(bird, "-f", "-c", config.toString(), "-s",
                socket.toString(), "-P", lab.dir.resolve("bird.pid").toString()));
        String birdc = Tools.require("birdc", "bird2").toString();
        return new RouterPeer(process) {
            @Override
            String name() {
                return "bird2";
            }

            @Override
            String show() {
                return NamespacePair.run(birdc, "-s", socket.toString(), "show", "bfd", "sessions");
            }
        };
    }

    /** FRR's bfdd alone (no zebra), with its own config, pid file, vty and control sockets in the lab's directory. */
    static RouterPeer frr(NamespacePair lab, long intervalMillis) {
        Path log = lab.dir.resolve("bfdd.log");
        Path config = lab.write("bfdd.conf", """
                log file %s debugging
                log timestamp precision 3
                debug bfd peer
                bfd
                 peer %s local-address %s
                  receive-interval %d
                  transmit-interval %d
                  detect-multiplier %d
                 !
                !
                """.formatted(log, NamespacePair.GATEHOUSE_ADDRESS, NamespacePair.ROUTER_ADDRESS, intervalMillis,
                intervalMillis, BfdInteropTest.MULTIPLIER));
        String bfdd = Tools.require("/usr/lib/frr/bfdd", "frr").toString();
        String vtysh = Tools.require("vtysh", "frr").toString();
        LabProcess process = lab.spawn(lab.router, "bfdd", List.of(bfdd, "-f", config.toString(), "-i",
                lab.dir.resolve("bfdd.pid").toString(), "--vty_socket", lab.dir.toString(), "--bfdctl",
                lab.dir.resolve("bfdd.sock").toString(), "-z", lab.dir.resolve("zserv.api").toString(), "-P", "0"));
        return new RouterPeer(process) {
            @Override
            String name() {
                return "frr bfdd";
            }

            @Override
            String show() {
                return NamespacePair.run(vtysh, "--vty_socket", lab.dir.toString(), "-c", "show bfd peers");
            }
        };
    }
}
