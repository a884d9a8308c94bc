package dev.gatehouse.guard;

import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A JVM with {@code args[1]} MiB of heap in use and two connections to 127.0.0.1:{@code args[0]}: the first tracked
 * by {@link ExitReset} (it writes "T" first), the second not ("U"). Prints "ready", then waits to be killed.
 */
public final class ExitResetMain {

    public static void main(String[] args) throws Exception {
        List<long[]> heap = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            long[] mebibyte = new long[1 << 17];
            Arrays.fill(mebibyte, i); // touched, so the kernel has every page to free when this process dies
            heap.add(mebibyte);
        }
        int port = Integer.parseInt(args[0]);
        Socket tracked = new Socket("127.0.0.1", port);
        tracked.getOutputStream().write('T');
        ExitReset.track(tracked.getLocalSocketAddress());
        Socket untracked = new Socket("127.0.0.1", port);
        untracked.getOutputStream().write('U');
        System.out.println("ready " + heap.size());
        Thread.sleep(600_000);
    }
}
