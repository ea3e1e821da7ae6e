package org.afmetrics.kernel.bridge;

import java.util.function.BiConsumer;

/**
 * What the woven kernel code calls. It names nothing but JDK types, so a copy of it can serve
 * kernels whose class loader cannot see the agent jar (the agent then puts this class on the
 * bootstrap class path) and the agent can still reach that copy through reflection.
 * Until a sink is installed every call is a no-op. No call throws: the woven kernel code calls
 * these methods without a handler of its own.
 */
public final class CellBridge {
    public static final int KERNEL = 0;
    public static final int CELL_START = 1;
    public static final int CELL_FAILED = 2;
    public static final int CELL_OUTCOME = 3;
    public static final int CELL_END = 4;
    public static final int INTERRUPT = 5;
    public static final int WORK_START = 6;
    public static final int WORK_END = 7;
    public static final int WORKER_CELL_START = 8;

    private static volatile BiConsumer<Integer, Object> sink;

    private CellBridge() {
    }

    /** Routes the events to {@code s} (event code, argument); null stops them. */
    public static void install(BiConsumer<Integer, Object> s) {
        sink = s;
    }

    /** The kernel object of a hooked instance method, or the hooked class of a static one. */
    public static void kernelStarted(Object kernelOrType) {
        emit(KERNEL, kernelOrType);
    }

    public static void cellStarted() {
        emit(CELL_START, null);
    }

    /** A cell starts whose code the kernel runs on worker threads while this thread waits for them. */
    public static void workerCellStarted() {
        emit(WORKER_CELL_START, null);
    }

    public static void cellFailed() {
        emit(CELL_FAILED, null);
    }

    public static void cellOutcome(Object result) {
        emit(CELL_OUTCOME, result);
    }

    public static void cellEnded(Throwable thrown) {
        emit(CELL_END, thrown);
    }

    public static void interruptRequested() {
        emit(INTERRUPT, null);
    }

    /** A thread the kernel started for the cell begins running it (called on that thread). */
    public static void workStarted() {
        emit(WORK_START, null);
    }

    /** The worker thread is done with the cell (called on that thread; how it ended does not matter). */
    public static void workEnded(Throwable thrown) {
        emit(WORK_END, null);
    }

    private static void emit(int event, Object arg) {
        BiConsumer<Integer, Object> s = sink;
        if (s != null) {
            try {
                s.accept(event, arg); // small Integers are cached: no allocation
            } catch (Throwable ignored) {
                // the kernel's method goes on as if it had not been hooked
            }
        }
    }
}
