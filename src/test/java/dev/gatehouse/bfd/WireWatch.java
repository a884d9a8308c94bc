package dev.gatehouse.bfd;

import dev.gatehouse.Tools;
import dev.gatehouse.lab.LabProcess;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Every BFD Control packet on the router's link, as the router's kernel sees it: a Python AF_PACKET reader in the
 * router namespace, each packet with the kernel's timestamp (SO_TIMESTAMPNS, so a reader scheduled late on a busy
 * machine does not move it), put on the clock of {@link System#nanoTime()}. It times the peer's verdict from
 * outside the peer (FRR's own log timestamps were found to run ~1.26 s late) and shows each packet's TTL.
 */
final class WireWatch {

    /** A packet: when, from which address, its TTL, state (wire code), P/F flags and diagnostic. */
    record Packet(long nanos, String from, int ttl, int state, boolean poll, boolean fin, int diag) {
        static Packet parse(String line) {
            String[] f = line.split(" ");
            return new Packet(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f[4].contains("P"), f[4].contains("F"), Integer.parseInt(f[5]));
        }
    }

    private static final String SCRIPT = """
            import socket, struct
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL: sent and received
            s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS: the kernel's time of the packet
            s.bind(('eth0', 0))
            print('watching', flush=True)
            while True:
                f, anc, flags, addr = s.recvmsg(2048, 64)
                sec, nsec = [struct.unpack('qq', d[:16]) for (level, kind, d) in anc if kind == 35][0]
                now = sec * 1000000000 + nsec
                ip = f[14:]
                if f[12] != 8 or f[13] != 0 or ip[9] != 17: continue
                udp = ip[(ip[0] & 15) * 4:]
                if struct.unpack('!H', udp[2:4])[0] != 3784: continue
                b = udp[8:]
                flags = ('P' if b[1] & 0x20 else '') + ('F' if b[1] & 0x10 else '') + '-'
                print(now, socket.inet_ntoa(ip[12:16]), ip[8], b[1] >> 6, flags, b[0] & 31, flush=True)
            """;

    private final LabProcess process;
    /** Wall-clock nanoseconds minus {@link System#nanoTime()}: the packets carry the first. */
    private final long wallOffset;

    private WireWatch(LabProcess process) {
        this.process = process;
        Instant now = Instant.now();
        this.wallOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    static WireWatch start(NamespacePair lab) {
        String python = Tools.require("python3", "python3").toString();
        WireWatch watch = new WireWatch(lab.spawn(lab.router, "wire-watch", List.of(python, "-c", SCRIPT)));
        watch.process.awaitLine("watching"::equals, Duration.ofSeconds(30));
        return watch;
    }

    List<Packet> packets() {
        return process.lines().stream().filter(l -> !l.equals("watching") && Character.isDigit(l.charAt(0)))
                .map(Packet::parse)
                .map(p -> new Packet(p.nanos() - wallOffset, p.from(), p.ttl(), p.state(), p.poll(), p.fin(), p.diag()))
                .toList();
    }
}
