package dev.gatehouse.cluster;

import dev.gatehouse.config.ClusterConfig.MemberConfig;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.guard.ExitReset;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS connection between every two members, whose only job is to end. A process that dies (kill -9, OOM,
 * crash) has its sockets closed by the kernel, which sends FIN (or RST) to the peer: a link that ends that way
 * without a goodbye is proof that the process at the other end has exited, and it lets the leader grant a VIP
 * at once instead of waiting out the owner's lease. A link that merely goes quiet (a cut cable, SIGSTOP, a
 * frozen or powered-off host) ends with nothing and proves nothing; the lease governs then, as before.
 *
 * <p>The kernel closes a killed JVM's sockets only after tearing down its memory; {@link ExitReset} resets the links
 * within milliseconds of the death instead, which the peer reads as the same evidence.
 *
 * <p>The member with the smaller id dials (to the peer's cluster port + 1000). Both ends clear the peer's exit
 * mark before the other end counts the link up (hello, welcome, ready), so a leader that still holds a stale exit
 * mark for a peer cannot act on it after that peer counts its new link up. Each end writes a ping every half tick,
 * so an end whose peer dropped the connection learns it from the peer's RST within a few milliseconds.
 *
 * <p>Self-fencing: while the link to the Raft leader has ended without a goodbye and is not up again, the owner
 * must not serve ({@link #broken}); the leader may have taken the end as an exit and granted the VIP elsewhere.
 */
final class FenceLinks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FenceLinks.class);
    private static final String HELLO = "hello ";
    private static final String WELCOME = "welcome ";
    private static final String READY = "ready";
    private static final String PING = "p";
    private static final String BYE = "bye";

    private final String self;
    private final Roster roster;
    private final SSLContext tls;
    private final Observations seen;
    /** Told (never on the caller's thread of a tick) whenever a link comes up or ends. */
    private final Runnable changed;
    private final ClusterTimings timings;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    /** Peers whose link ended without a goodbye and is not up again. */
    private final Map<String, Boolean> broken = new ConcurrentHashMap<>();
    /** Per peer, how many handshakes got as far as a greeting: the end of an older link says nothing any more. */
    private final Map<String, Integer> greetings = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private ServerSocket server;

    FenceLinks(String self, Roster roster, SSLContext tls, Observations seen, Runnable changed, ClusterTimings timings) {
        this.self = self;
        this.roster = roster;
        this.tls = tls;
        this.seen = seen;
        this.changed = changed;
        this.timings = timings;
    }

    /** Listens on this member's fence port and dials every peer whose id sorts after this one. */
    void start() {
        HostPort at = roster.members().get(self).fenceAddress();
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(at.host(), at.port()));
            Thread.ofVirtual().name("gatehouse-fence-accept-" + self).start(this::acceptLoop);
        } catch (IOException e) {
            LOG.warn("fence port {} unavailable ({}): peers cannot confirm this process's exit, so a crash here is "
                    + "taken over after the lease", at, e.toString());
        }
        for (String peer : roster.members().keySet()) {
            if (self.compareTo(peer) < 0) {
                Thread.ofVirtual().name("gatehouse-fence-dial-" + peer).start(() -> dialLoop(peer));
            }
        }
    }

    /** Whether the link to {@code member} ended without a goodbye and is not up again. */
    boolean broken(String member) {
        return broken.containsKey(member);
    }

    /** Says goodbye on every link and closes them: peers take it as a graceful leave, not an exit. */
    @Override
    public void close() {
        closing = true;
        links.values().forEach(link -> link.end(BYE));
        closeServer();
    }

    /** Drops every link without a goodbye or a TLS close, as the kernel does for a killed process; for tests. */
    void abort() {
        closing = true;
        links.values().forEach(Link::abort);
        closeServer();
    }

    /** Drops the link to {@code peer} without a goodbye; it is dialed again as after any other end. For tests. */
    void drop(String peer) {
        Link link = links.get(peer);
        if (link != null) {
            link.abort();
        }
    }

    private void closeServer() {
        try {
            if (server != null) server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void acceptLoop() {
        while (!closing) {
            Socket plain;
            try {
                plain = server.accept();
            } catch (IOException e) {
                if (!closing) LOG.warn("fence port stopped accepting", e);
                return;
            }
            Thread.ofVirtual().name("gatehouse-fence-in-" + self).start(() -> accepted(plain));
        }
    }

    private void accepted(Socket plain) {
        try (ExitReset.Tracked tracked = ExitReset.track(plain.getLocalSocketAddress())) {
            Link link = new Link(plain, false);
            String hello = link.handshakeLine();
            String peer = hello.startsWith(HELLO) ? hello.substring(HELLO.length()) : null;
            if (peer == null || !roster.members().containsKey(peer) || peer.compareTo(self) >= 0) {
                throw new IOException("unexpected fence greeting '" + hello + "'");
            }
            link.greeted(greet(peer));
            link.send(WELCOME + self);
            if (!READY.equals(link.handshakeLine())) {
                throw new IOException("no ready from " + peer);
            }
            run(peer, link);
        } catch (IOException e) {
            LOG.debug("fence link refused: {}", e.toString());
            closeQuietly(plain);
        }
    }

    private void dialLoop(String peer) {
        MemberConfig member = roster.members().get(peer);
        while (!closing) {
            Socket plain = new Socket();
            ExitReset.Tracked tracked = null;
            try {
                plain.connect(member.fenceAddress().socketAddress(), (int) timings.lease().toMillis());
                tracked = ExitReset.track(plain.getLocalSocketAddress());
                Link link = new Link(plain, true);
                link.send(HELLO + self);
                if (!(WELCOME + peer).equals(link.handshakeLine())) {
                    throw new IOException("unexpected fence answer from " + peer);
                }
                link.greeted(greet(peer));
                link.send(READY);
                run(peer, link);
            } catch (IOException e) {
                closeQuietly(plain);
                LOG.trace("fence link to {} not up: {}", peer, e.toString());
            } finally {
                if (tracked != null) tracked.close();
            }
            sleep(timings.tick().toMillis() * 2);
        }
    }

    /**
     * A peer greeted (or answered) on a new link: its exit mark is cleared before the peer may count the link up,
     * and under the same lock as {@link #ended}, so an older link's end that is handled later marks nothing.
     */
    private synchronized int greet(String peer) {
        seen.connected(peer);
        return greetings.merge(peer, 1, Integer::sum);
    }

    /** The link is up: it replaces any older one to the same peer, and runs until it ends. */
    private void run(String peer, Link link) throws IOException {
        link.up();
        Link older;
        synchronized (this) {
            older = links.put(peer, link);
            broken.remove(peer);
        }
        if (older != null) {
            older.abort(); // superseded: its end says nothing any more
        }
        changed.run();
        LOG.info("fence link to {} up", peer);
        Thread.ofVirtual().name("gatehouse-fence-ping-" + peer).start(link::pingUntilEnd);
        String cause = link.readUntilEnd();
        if (ended(peer, link, cause)) {
            changed.run();
        }
    }

    /** Records how {@code link} ended, unless it was superseded or this member is closing; whether it did. */
    private synchronized boolean ended(String peer, Link link, String cause) {
        if (!links.remove(peer, link) || closing || link.greeting != greetings.get(peer)) {
            return false;
        }
        if (cause == null) {
            LOG.info("fence link to {} closed with a goodbye", peer);
            return true;
        }
        broken.put(peer, true);
        if (exitEvidence(link.failure)) {
            seen.exited(peer);
            LOG.info("fence link to {} ended without a goodbye ({}): its process exited", peer, cause);
        } else {
            LOG.info("fence link to {} lost ({}): not taken as an exit", peer, cause);
        }
        return true;
    }

    /**
     * Only what a peer's kernel sends when its process is gone counts: end of stream (FIN) or a reset. A timeout,
     * a TLS failure or anything else leaves the lease to decide.
     */
    private static boolean exitEvidence(Throwable failure) {
        if (failure == null || failure instanceof EOFException) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (t instanceof SocketException && (message.contains("reset") || message.contains("broken pipe"))) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to add
        }
    }

    /** One TLS connection over a plain socket; the plain socket can be dropped without a TLS close, as by a crash. */
    private final class Link {
        private final Socket plain;
        private final SSLSocket socket;
        private final OutputStream out;
        private final BufferedReader in;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** What ended the link, as the reader saw it; null for end of stream. */
        private volatile Throwable failure;
        private volatile boolean goodbye;
        private int greeting;

        Link(Socket plain, boolean dialer) throws IOException {
            this.plain = plain;
            plain.setTcpNoDelay(true);
            plain.setSoTimeout((int) timings.lease().toMillis()); // the handshake only; the link itself never times out
            socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, plain.getInetAddress().getHostAddress(),
                    plain.getPort(), true);
            socket.setUseClientMode(dialer);
            socket.setNeedClientAuth(!dialer);
            socket.startHandshake();
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        String handshakeLine() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new EOFException("closed during the fence handshake");
            }
            return line;
        }

        void greeted(int greeting) {
            this.greeting = greeting;
        }

        void up() throws IOException {
            plain.setSoTimeout(0);
        }

        synchronized void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /**
         * Each link pings on its own thread: a link whose send buffer fills (a cut cable) blocks only itself. A
         * failed write ends the pinging but not the link: whatever broke it (the peer's RST, its FIN) reaches the
         * reader too, and the reader says how the link ended (the TLS layer's write error says only that it did).
         */
        void pingUntilEnd() {
            long everyMillis = Math.max(1, timings.tick().toMillis() / 2);
            while (!ended.get()) {
                try {
                    send(PING);
                } catch (IOException e) {
                    return;
                }
                sleep(everyMillis);
            }
        }

        /** Reads until the link ends; returns null after a goodbye, else what ended it. */
        String readUntilEnd() {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (BYE.equals(line)) {
                        goodbye = true;
                    }
                }
            } catch (IOException e) {
                fail(e);
            }
            fail(null);
            if (goodbye) {
                return null;
            }
            return failure == null ? "end of stream" : failure.toString();
        }

        /** The first cause wins: the reader's, or none when this end closes the link itself. */
        private void fail(Throwable cause) {
            if (ended.compareAndSet(false, true)) {
                failure = cause;
                closeQuietly(socket);
            }
        }

        void end(String lastLine) {
            try {
                send(lastLine);
            } catch (IOException ignored) {
                // ending anyway
            }
            fail(null);
        }

        void abort() {
            closeQuietly(plain);
        }
    }
}
