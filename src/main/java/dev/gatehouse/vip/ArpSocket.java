package dev.gatehouse.vip;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * ARP frames sent and received by this JVM itself: a Linux packet socket ({@code AF_PACKET}, {@code SOCK_DGRAM},
 * bound to {@code ETH_P_ARP} on one interface), reached through the Foreign Function API. The kernel adds and strips
 * the Ethernet header; what goes in and out is the 28-byte ARP packet. A probe then costs two system calls, where
 * starting {@code arping} costs a fork and an exec (5-30 ms, more on a busy host) before the first frame leaves.
 * Needs CAP_NET_RAW, as arping does. Not thread-safe: one user at a time.
 */
final class ArpSocket implements AutoCloseable {

    private static final int AF_PACKET = 17;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final short ETH_P_ARP = 0x0806;
    private static final short POLLIN = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    /** struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]. */
    private static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("family"), JAVA_SHORT.withName("protocol"), JAVA_INT.withName("ifindex"),
            JAVA_SHORT.withName("hatype"), JAVA_BYTE.withName("pkttype"), JAVA_BYTE.withName("halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("addr"));
    /** struct pollfd: fd, events, revents. */
    private static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private static final Native NATIVE = Native.load();

    private final int fd;
    private final int ifindex;
    private final byte[] mac;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(1500);
    private final MemorySegment destination;
    private final MemorySegment pollfd;

    private ArpSocket(int fd, int ifindex, byte[] mac) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.mac = mac;
        this.destination = address(arena, ifindex, BROADCAST);
        this.pollfd = arena.allocate(POLLFD);
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, POLLIN);
    }

    /** Opens a socket on {@code iface}; fails with the reason (no such interface, no CAP_NET_RAW, not Linux). */
    static ArpSocket open(String iface) throws IOException {
        if (NATIVE.error != null) {
            throw new IOException("packet sockets unavailable: " + NATIVE.error);
        }
        byte[] mac = macOf(iface);
        try (Arena call = Arena.ofConfined()) {
            int ifindex = (int) NATIVE.ifNameToIndex.invokeExact(call.allocateFrom(iface));
            if (ifindex == 0) {
                throw new IOException("no interface " + iface);
            }
            int fd = (int) NATIVE.socket.invokeExact(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, (int) toNetwork(ETH_P_ARP));
            if (fd < 0) {
                throw new IOException("socket(AF_PACKET) failed (needs CAP_NET_RAW)");
            }
            MemorySegment bound = address(call, ifindex, new byte[6]);
            if ((int) NATIVE.bind.invokeExact(fd, bound, (int) SOCKADDR_LL.byteSize()) != 0) {
                int ignored = (int) NATIVE.close.invokeExact(fd);
                throw new IOException("bind(AF_PACKET, " + iface + ") failed");
            }
            return new ArpSocket(fd, ifindex, mac);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("packet socket on " + iface + ": " + t, t);
        }
    }

    /**
     * Links the native calls and opens and closes one socket on the loopback interface, sending nothing, so that a
     * takeover does not pay for the first use (~200 ms measured); false, saying nothing, where it cannot.
     */
    static boolean warmUp() {
        try (ArpSocket socket = open("lo")) {
            return socket.receive(new byte[ArpFrames.LENGTH], 0) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** This interface's hardware address. */
    byte[] mac() {
        return mac.clone();
    }

    /** Broadcasts one ARP packet. */
    void broadcast(byte[] packet) throws IOException {
        MemorySegment.copy(packet, 0, buffer, JAVA_BYTE, 0, packet.length);
        long sent;
        try {
            sent = (long) NATIVE.sendTo.invokeExact(fd, buffer, (long) packet.length, 0, destination,
                    (int) SOCKADDR_LL.byteSize());
        } catch (Throwable t) {
            throw new IOException("sendto: " + t, t);
        }
        if (sent != packet.length) {
            throw new IOException("sendto on interface " + ifindex + " failed");
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the next ARP packet and copies it into {@code into}; returns its length,
     * or 0 when none came in time. Packets already queued are returned at once, whenever they arrived.
     */
    int receive(byte[] into, int timeoutMillis) throws IOException {
        try {
            long n = (long) NATIVE.recv.invokeExact(fd, buffer, buffer.byteSize(), MSG_DONTWAIT);
            if (n <= 0) {
                pollfd.set(JAVA_SHORT, 6, (short) 0); // revents
                int ready = (int) NATIVE.poll.invokeExact(pollfd, 1L, Math.max(0, timeoutMillis));
                if (ready <= 0) {
                    return 0;
                }
                n = (long) NATIVE.recv.invokeExact(fd, buffer, buffer.byteSize(), MSG_DONTWAIT);
                if (n <= 0) {
                    return 0;
                }
            }
            int length = (int) Math.min(n, into.length);
            MemorySegment.copy(buffer, JAVA_BYTE, 0, into, 0, length);
            return length;
        } catch (Throwable t) {
            throw new IOException("recv: " + t, t);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) NATIVE.close.invokeExact(fd);
        } catch (Throwable ignored) {
            // nothing left to do for a descriptor that will not close
        }
        arena.close();
    }

    private static MemorySegment address(Arena arena, int ifindex, byte[] hardware) {
        MemorySegment sll = arena.allocate(SOCKADDR_LL);
        sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
        sll.set(JAVA_SHORT, 2, toNetwork(ETH_P_ARP));
        sll.set(JAVA_INT, 4, ifindex);
        sll.set(JAVA_BYTE, 11, (byte) hardware.length);
        MemorySegment.copy(hardware, 0, sll, JAVA_BYTE, 12, hardware.length);
        return sll;
    }

    /** A 16-bit value in network byte order, as the native order reads it. */
    private static short toNetwork(short value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Short.reverseBytes(value);
    }

    private static byte[] macOf(String iface) throws IOException {
        if (iface.contains("/") || iface.startsWith(".")) {
            throw new IOException("not an interface name: " + iface);
        }
        Path file = Path.of("/sys/class/net", iface, "address");
        try {
            byte[] mac = HexFormat.ofDelimiter(":").parseHex(Files.readString(file).strip());
            if (mac.length != 6) {
                throw new IOException(iface + " has no Ethernet address");
            }
            return mac;
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
            throw new IOException("no Ethernet address for " + iface + " (" + e.getMessage() + ")");
        }
    }

    /** The libc functions, looked up once; {@code error} says why they are not there (then none is used). */
    private record Native(MethodHandle socket, MethodHandle bind, MethodHandle sendTo, MethodHandle recv,
            MethodHandle poll, MethodHandle close, MethodHandle ifNameToIndex, String error) {

        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                return new Native(
                        handle(linker, libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        handle(linker, libc, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
                        handle(linker, libc, "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG,
                                JAVA_INT, ADDRESS, JAVA_INT)),
                        handle(linker, libc, "recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)),
                        handle(linker, libc, "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)),
                        handle(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        handle(linker, libc, "if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        null);
            } catch (RuntimeException | LinkageError e) {
                return new Native(null, null, null, null, null, null, null, e.toString());
            }
        }

        private static MethodHandle handle(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor) {
            return linker.downcallHandle(libc.find(name).orElseThrow(() -> new IllegalStateException("no " + name)),
                    descriptor);
        }
    }
}
