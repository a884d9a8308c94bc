package dev.gatehouse.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * LEAST_REQUEST: power of two choices. Two candidates are drawn by weight and the one with fewer
 * active requests per unit of weight wins; a tie keeps the first draw. Drawing by weight makes an
 * idle pool split traffic by weight, while the comparison steers load towards active/weight being
 * equal. Two random candidates instead of a full scan avoid every event loop herding onto the same
 * momentarily idle endpoint. Needs at least two endpoints (Balancers handles one).
 */
final class LeastRequest<T extends Target> implements Balancer<T> {

    private final CumulativeWeights<T> line;

    LeastRequest(List<Weighted<T>> endpoints) {
        line = new CumulativeWeights<>(endpoints);
    }

    @Override
    public T pick(long hash) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = line.size();
        int first = line.indexAt(random.nextLong(line.total()));
        int second = line.indexAt(random.nextLong(line.total()));
        if (second == first) {
            second = (first + 1 + random.nextInt(n - 1)) % n; // any other, so there is a real choice
        }
        long firstActive = line.endpoint(first).inFlight();
        long secondActive = line.endpoint(second).inFlight();
        // active_second / w_second < active_first / w_first, without a division
        boolean secondLighter = secondActive * line.weight(first) < firstActive * line.weight(second);
        return line.endpoint(secondLighter ? second : first);
    }
}
