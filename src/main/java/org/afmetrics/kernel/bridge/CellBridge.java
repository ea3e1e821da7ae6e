package org.afmetrics.kernel.bridge;

/**
 * What the woven kernel code calls. It depends on nothing but the JDK, so the agent can put it
 * on the bootstrap class path, where every class loader (whatever loads the kernel) finds it.
 * Until a {@link Sink} is installed every call is a no-op.
 */
public final class CellBridge {
    /** Receives the events; implemented by the agent's recorder. */
    public interface Sink {
        void kernelStarted(Object kernel, Class<?> hookedType);

        void cellStarted();

        void cellFailed();

        void cellOutcome(Object result);

        void cellEnded(Throwable thrown);

        void interruptRequested();
    }

    private static volatile Sink sink;

    private CellBridge() {
    }

    public static void install(Sink s) {
        sink = s;
    }

    public static Sink sink() {
        return sink;
    }

    public static void kernelStarted(Object kernel, Class<?> hookedType) {
        Sink s = sink;
        if (s != null) {
            s.kernelStarted(kernel, hookedType);
        }
    }

    public static void cellStarted() {
        Sink s = sink;
        if (s != null) {
            s.cellStarted();
        }
    }

    public static void cellFailed() {
        Sink s = sink;
        if (s != null) {
            s.cellFailed();
        }
    }

    public static void cellOutcome(Object result) {
        Sink s = sink;
        if (s != null) {
            s.cellOutcome(result);
        }
    }

    public static void cellEnded(Throwable thrown) {
        Sink s = sink;
        if (s != null) {
            s.cellEnded(thrown);
        }
    }

    public static void interruptRequested() {
        Sink s = sink;
        if (s != null) {
            s.interruptRequested();
        }
    }
}
