package dev.gatehouse.bfd;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * SIGSTOP, SIGCONT and SIGKILL through libc's kill(2), in microseconds rather than the milliseconds a {@code kill} process
 * takes to start: a pause of 200 ms must last 200 ms.
 */
final class Signals {

    private static final int SIGKILL = 9;
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;
    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Signals() {}

    static void stop(long pid) {
        send(pid, SIGSTOP);
    }

    static void kill(long pid) {
        send(pid, SIGKILL);
    }

    static void resume(long pid) {
        send(pid, SIGCONT);
    }

    private static void send(long pid, int signal) {
        try {
            int result = (int) KILL.invokeExact((int) pid, signal);
            if (result != 0) {
                throw new IllegalStateException("kill(" + pid + ", " + signal + ") failed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
