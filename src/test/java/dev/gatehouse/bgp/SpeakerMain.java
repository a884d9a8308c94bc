package dev.gatehouse.bgp;

import dev.gatehouse.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A speaker in a process of its own (so a test can kill -9 it, or run it in a network namespace): args PEER PORT
 * PEER_AS LOCAL_AS SOURCE. Prints "established" when its session first comes up, then obeys lines on stdin:
 * {@code announce ADDRESS [COMMUNITY...]}, {@code drain ADDRESS MILLIS}, {@code withdraw ADDRESS}.
 */
public final class SpeakerMain {

    private SpeakerMain() {}

    public static void main(String[] args) throws Exception {
        PeerSettings peer = new PeerSettings(Long.parseLong(args[3]), (Inet4Address) InetAddress.getByName("192.0.2.250"),
                InetAddress.getByName(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]), 9, null,
                InetAddress.getByName(args[4]));
        BgpSpeaker speaker = BgpSpeaker.start(List.of(peer), BackOff.DEFAULT, Ticker.system(), new SimpleMeterRegistry());
        while (speaker.status().getFirst().state() != SessionState.ESTABLISHED) {
            Thread.sleep(20); // a tool's own wait, not a test's synchronisation
        }
        System.out.println("established");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.strip().split("\\s+");
            InetAddress address = InetAddress.getByName(words[1]);
            switch (words[0]) {
                case "announce" -> {
                    List<Community> communities = new ArrayList<>();
                    Arrays.stream(words).skip(2).map(Community::parse).forEach(communities::add);
                    speaker.announce(new Route(address, communities));
                }
                case "drain" -> speaker.withdrawGracefully(address, Duration.ofMillis(Long.parseLong(words[2])));
                case "withdraw" -> speaker.withdraw(address);
                default -> System.out.println("unknown command " + words[0]);
            }
        }
        speaker.close("stdin closed");
    }

    /** The command line that runs it on the test's class path, prefixed by {@code prefix} (e.g. ip netns exec). */
    static List<String> command(List<String> prefix, String peer, int port, long peerAs, long localAs, String source) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), SpeakerMain.class.getName(), peer, Integer.toString(port),
                Long.toString(peerAs), Long.toString(localAs), source));
        return command;
    }
}
