package dev.gatehouse.bfd;

import java.util.random.RandomGenerator;

/**
 * The state machine and timers of one session, RFC 5880 §6.8 in asynchronous mode without Echo or
 * authentication. It knows nothing of sockets: packets leave through {@link Output} and arrive through
 * {@link #receive} once the transport has checked them and found this session. Single-threaded: every method is
 * called on the thread of its {@link Timers}.
 *
 * <p>Timers: one scheduled task at the earlier of the next transmission and the detection deadline. A received
 * packet only moves the deadline later, so it schedules nothing; the task re-arms itself when it runs.
 */
final class Session {

    /** §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second. */
    static final long SLOW_TX_MICROS = 1_000_000;

    /** Where a session's packets and news go. */
    interface Output {
        void send(ControlPacket packet);

        void stateChanged(StateChange change);
    }

    private final Timers timers;
    private final RandomGenerator random;
    private final Output output;
    private final int localDiscriminator;
    private final int detectMult;

    /** The desired tx asked for; bfd.DesiredMinTxInterval is raised to a second while not Up. */
    private long configuredTxMicros;

    // The state variables of §6.8.1 (Demand mode is never asked for here, so bfd.DemandMode stays 0).
    private SessionState state = SessionState.DOWN;
    private SessionState remoteState = SessionState.DOWN;
    private int remoteDiscriminator;
    private Diagnostic localDiag = Diagnostic.NONE;
    private long desiredMinTxMicros;
    private long requiredMinRxMicros;
    private long remoteMinRxMicros = 1;
    private boolean remoteDemand;
    private long remoteDesiredMinTxMicros;
    private int remoteDetectMult;

    /** A Poll sequence is under way: periodic packets carry P until a packet with F arrives. */
    private boolean polling;
    /** The desired tx and required rx that timers use: an increase of the first (a decrease of the second) waits for the Final. */
    private long txBasisMicros;
    private long rxBasisMicros;

    private boolean running;
    private long nextTx;
    private boolean detecting;
    private long detectDeadline;
    private Runnable cancelTask;
    private long taskDue;

    Session(SessionParameters parameters, int localDiscriminator, Timers timers, RandomGenerator random, Output output) {
        this.timers = timers;
        this.random = random;
        this.output = output;
        this.localDiscriminator = localDiscriminator;
        this.detectMult = parameters.detectMultiplier();
        this.configuredTxMicros = parameters.desiredMinTxMicros();
        this.desiredMinTxMicros = Math.max(configuredTxMicros, SLOW_TX_MICROS);
        this.requiredMinRxMicros = parameters.requiredMinRxMicros();
        this.txBasisMicros = desiredMinTxMicros;
        this.rxBasisMicros = requiredMinRxMicros;
    }

    /** Begins sending (the first packet at once) and detecting. */
    void start() {
        if (!running) {
            running = true;
            nextTx = timers.nanoTime();
            arm();
        }
    }

    /** Stops all sending and timers; state is kept (a stopped session is not restarted). */
    void stop() {
        running = false;
        detecting = false;
        if (cancelTask != null) {
            cancelTask.run();
            cancelTask = null;
        }
    }

    /** §6.8.16: AdminDown with diagnostic 7, still sending (slowly) so the peer learns it was deliberate. */
    void adminDown() {
        if (state != SessionState.ADMIN_DOWN) {
            localDiag = Diagnostic.ADMINISTRATIVELY_DOWN;
            detecting = false;
            changeState(SessionState.ADMIN_DOWN);
        }
    }

    /** Leaves AdminDown for Down, from where the session comes Up again with the peer. */
    void enable() {
        if (state == SessionState.ADMIN_DOWN) {
            changeState(SessionState.DOWN);
        }
    }

    /** New intervals; while Up they take effect through a Poll sequence (§6.8.3). */
    void changeIntervals(long desiredTxMicros, long requiredRxMicros) {
        configuredTxMicros = desiredTxMicros;
        requiredMinRxMicros = requiredRxMicros;
        if (state == SessionState.UP) {
            desiredMinTxMicros = desiredTxMicros;
            txBasisMicros = Math.min(txBasisMicros, desiredTxMicros);
            rxBasisMicros = Math.max(rxBasisMicros, requiredRxMicros);
            polling = true;
            sendNow(false);
        } else {
            desiredMinTxMicros = Math.max(desiredTxMicros, SLOW_TX_MICROS);
            txBasisMicros = desiredMinTxMicros;
            rxBasisMicros = requiredRxMicros;
        }
    }

    /**
     * §6.8.6 from step 11 on, for a packet that passed the checks before it and was matched to this session.
     * Returns why it was discarded after all, or null.
     */
    Drop receive(ControlPacket p) {
        if (!running) {
            return Drop.NOT_RUNNING;
        }
        long now = timers.nanoTime();
        long txBefore = txIntervalMicros();
        remoteDiscriminator = p.myDiscriminator();
        remoteState = p.state();
        remoteDemand = p.demand();
        remoteMinRxMicros = p.requiredMinRxMicros();
        remoteDesiredMinTxMicros = p.desiredMinTxMicros();
        remoteDetectMult = p.detectMult();
        if (p.fin() && polling) {
            polling = false;
            txBasisMicros = desiredMinTxMicros;
            rxBasisMicros = requiredMinRxMicros;
        }
        if (state == SessionState.ADMIN_DOWN) {
            return Drop.ADMIN_DOWN;
        }
        if (p.state() == SessionState.ADMIN_DOWN) {
            if (state != SessionState.DOWN) {
                localDiag = Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN;
                changeState(SessionState.DOWN);
            }
        } else if (state == SessionState.DOWN) {
            if (p.state() == SessionState.DOWN) {
                changeState(SessionState.INIT);
            } else if (p.state() == SessionState.INIT) {
                changeState(SessionState.UP);
            }
        } else if (state == SessionState.INIT) {
            if (p.state() == SessionState.INIT || p.state() == SessionState.UP) {
                changeState(SessionState.UP);
            }
        } else if (p.state() == SessionState.DOWN) {
            localDiag = Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN;
            changeState(SessionState.DOWN);
        }
        if (p.poll()) {
            sendNow(true);
        }
        // §6.8.4: a valid packet restarts the detection time, which §6.8.4 computes from the remote's values.
        detecting = true;
        detectDeadline = now + detectionTimeMicros() * 1000;
        long txAfter = txIntervalMicros();
        if (txAfter < txBefore && nextTx - now > txAfter * 1000) {
            nextTx = now + jittered(txAfter);
        }
        arm();
        return null;
    }

    SessionState state() {
        return state;
    }

    Diagnostic diagnostic() {
        return localDiag;
    }

    int localDiscriminator() {
        return localDiscriminator;
    }

    int remoteDiscriminator() {
        return remoteDiscriminator;
    }

    /** The interval between this side's packets before jitter: max(desired tx in force, the remote's required rx). */
    long txIntervalMicros() {
        return Math.max(txBasisMicros, remoteMinRxMicros);
    }

    /** §6.8.4: the remote's Detect Mult × max(our required rx in force, the remote's desired tx). */
    long detectionTimeMicros() {
        return remoteDetectMult * Math.max(rxBasisMicros, remoteDesiredMinTxMicros);
    }

    boolean polling() {
        return polling;
    }

    private void changeState(SessionState next) {
        SessionState previous = state;
        state = next;
        if (next == SessionState.UP) {
            desiredMinTxMicros = configuredTxMicros;
            if (desiredMinTxMicros != txBasisMicros) {
                txBasisMicros = Math.min(txBasisMicros, desiredMinTxMicros);
                polling = true;
            }
        } else if (previous == SessionState.UP) {
            polling = false;
            desiredMinTxMicros = Math.max(configuredTxMicros, SLOW_TX_MICROS);
            txBasisMicros = desiredMinTxMicros;
            rxBasisMicros = requiredMinRxMicros;
        }
        output.stateChanged(new StateChange(previous, next, localDiag, timers.nanoTime(), remoteState));
        // The peer learns of the change now rather than a slow interval later; the periodic schedule restarts.
        sendNow(false);
        if (running) {
            nextTx = timers.nanoTime() + jittered(txIntervalMicros());
        }
    }

    private void sendNow(boolean fin) {
        if (running) {
            output.send(packet(fin));
        }
    }

    private ControlPacket packet(boolean fin) {
        return new ControlPacket(localDiag.code(), state, polling && !fin, fin, false, false, detectMult,
                localDiscriminator, remoteDiscriminator, desiredMinTxMicros, requiredMinRxMicros, 0);
    }

    /** §6.8.7: 75–100 % of the interval, at most 90 % when Detect Mult is 1. In nanoseconds. */
    private long jittered(long intervalMicros) {
        double factor = 0.75 + random.nextDouble() * (detectMult == 1 ? 0.15 : 0.25);
        return (long) (intervalMicros * 1000 * factor);
    }

    private void onTimer() {
        cancelTask = null;
        if (!running) {
            return;
        }
        long now = timers.nanoTime();
        if (detecting && now - detectDeadline >= 0) {
            detecting = false;
            remoteDiscriminator = 0;
            if (state == SessionState.INIT || state == SessionState.UP) {
                localDiag = Diagnostic.CONTROL_DETECTION_TIME_EXPIRED;
                changeState(SessionState.DOWN);
            }
        }
        if (now - nextTx >= 0) {
            // §6.8.7: nothing periodic when the remote asks for none, or while Demand mode is active on it.
            boolean demandActive = remoteDemand && state == SessionState.UP && remoteState == SessionState.UP;
            if (remoteMinRxMicros != 0 && !demandActive) {
                output.send(packet(false));
            }
            nextTx = now + jittered(txIntervalMicros());
        }
        arm();
    }

    /** Makes sure a task is due no later than the earliest deadline. */
    private void arm() {
        if (!running) {
            return;
        }
        long due = detecting && detectDeadline - nextTx < 0 ? detectDeadline : nextTx;
        if (cancelTask != null) {
            if (taskDue - due <= 0) {
                return;
            }
            cancelTask.run();
        }
        taskDue = due;
        cancelTask = timers.schedule(due - timers.nanoTime(), this::onTimer);
    }
}
