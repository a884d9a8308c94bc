package dev.gatehouse.lab;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.config.ClusterConfig.Arp;
import dev.gatehouse.config.ClusterConfig.Driver;
import dev.gatehouse.config.ClusterConfig.Mode;
import dev.gatehouse.config.ClusterConfig.VipConfig;
import dev.gatehouse.time.Ticker;
import dev.gatehouse.vip.ArpVipDriver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a node that owns the lab VIP, run inside a holder's namespace: {@code VipHolderMain NAME LEASE_MS}
 * acquires 203.0.113.10/24 on eth0 with the {@code arp} driver, serves HTTP on the VIP's port 80 (the body is
 * NAME), and refreshes the driver every lease/3 as cluster renewals would. Prints {@code serving NANOS} once it
 * answers. Reads commands from stdin: {@code announce}, or {@code release} (also on end of input), which stops
 * serving, releases the VIP, prints {@code released NANOS} and exits.
 */
public final class VipHolderMain {

    private VipHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        Duration lease = Duration.ofMillis(Long.parseLong(args[1]));
        VipConfig vip = new VipConfig("front", Lab.VIP, Driver.ARP, new Arp("eth0", Lab.VIP_PREFIX, 3,
                Duration.ofSeconds(10)), Mode.ACTIVE_PASSIVE, null);
        ArpVipDriver driver = ArpVipDriver.create(lease, Ticker.system(), (v, detail) -> System.out.println("notice " + detail));
        driver.acquire(vip);

        HttpServer server = HttpServer.create(new InetSocketAddress(Lab.VIP, 80), 128);
        byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();

        ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
        renewals.scheduleAtFixedRate(() -> driver.refresh(vip), 0, lease.toMillis() / 3, TimeUnit.MILLISECONDS);
        System.out.println("serving " + System.nanoTime());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("release"); line = in.readLine()) {
            if (line.equals("announce")) {
                renewals.execute(() -> driver.announce(vip)); // on the thread that refreshes, as in a node
            }
        }
        renewals.shutdownNow();
        renewals.awaitTermination(5, TimeUnit.SECONDS);
        server.stop(0);
        driver.release(vip);
        System.out.println("released " + System.nanoTime());
        System.exit(0);
    }
}
