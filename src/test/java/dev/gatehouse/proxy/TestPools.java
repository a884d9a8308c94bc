package dev.gatehouse.proxy;

import dev.gatehouse.balance.Balancer;
import dev.gatehouse.config.Balance;
import dev.gatehouse.config.EndpointConfig;
import dev.gatehouse.config.HashOn;
import dev.gatehouse.config.HostPort;
import dev.gatehouse.config.PoolConfig;
import dev.gatehouse.config.PoolTimeouts;
import dev.gatehouse.pool.Endpoint;
import dev.gatehouse.pool.EndpointState;
import dev.gatehouse.pool.EndpointStatus;
import dev.gatehouse.pool.Pool;
import dev.gatehouse.pool.PoolView;
import dev.gatehouse.pool.ZoneRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Pools over loopback addresses with a plain round-robin balancer, for proxy tests. */
public final class TestPools {

    public static final PoolTimeouts TIMEOUTS = new PoolTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ZERO);

    private TestPools() {}

    public static Pool roundRobin(String name, PoolTimeouts timeouts, int retries, boolean proxyProtocol,
                                  InetSocketAddress... backends) {
        return withBalancer(name, endpoints -> {
            AtomicInteger next = new AtomicInteger();
            return hash -> endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
        }, timeouts, retries, proxyProtocol, backends);
    }

    /** A pool of healthy endpoints, one per backend in order, whose balancer {@code balancer} builds over them. */
    public static Pool withBalancer(String name, Function<List<Endpoint>, Balancer<Endpoint>> balancer, PoolTimeouts timeouts,
                                    int retries, boolean proxyProtocol, InetSocketAddress... backends) {
        List<EndpointConfig> configs = new ArrayList<>();
        for (InetSocketAddress b : backends) {
            configs.add(new EndpointConfig(new HostPort(b.getAddress().getHostAddress(), b.getPort()), 1, null));
        }
        PoolConfig config = new PoolConfig(name, Balance.ROUND_ROBIN, HashOn.SOURCE_IP, null, configs, null, null,
                0, Duration.ZERO, Duration.ZERO, retries, timeouts, proxyProtocol, null);
        List<Endpoint> endpoints = new ArrayList<>();
        List<EndpointStatus> statuses = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            Endpoint e = new Endpoint(name, i, configs.get(i));
            endpoints.add(e);
            statuses.add(new EndpointStatus(e, EndpointState.HEALTHY, 1));
        }
        return new Pool(config, endpoints, new PoolView(statuses, balancer.apply(List.copyOf(endpoints)), false, ZoneRouting.NONE), null);
    }

    public static Pool roundRobin(String name, InetSocketAddress... backends) {
        return roundRobin(name, TIMEOUTS, 0, false, backends);
    }

    /** An address on 127.0.0.1 where nothing listens: connects are refused at once. */
    public static InetSocketAddress deadAddress() {
        try (var s = new ServerSocket(0, 1, TestBackend.LOOPBACK)) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
