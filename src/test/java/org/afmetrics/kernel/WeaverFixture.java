package org.afmetrics.kernel;

/** Methods shaped like the kernels' hook points, woven by {@link WeaverTest} under their own name. */
public class WeaverFixture {
    public static final class Success {
    }

    /** A cell method: returns, throws, or catches its own exception and goes on. */
    public String cell(String mode) {
        if (mode.equals("throw")) {
            throw new IllegalStateException("cell failed");
        }
        try {
            if (mode.equals("caught")) {
                throw new IllegalArgumentException("handled inside");
            }
        } catch (IllegalArgumentException e) {
            return "recovered";
        }
        for (int i = 0; i < 3; i++) {
            if (mode.equals("early") && i == 1) {
                return "early";
            }
        }
        return "done";
    }

    /** A result method: its return value is the cell's outcome. */
    public Object result(boolean success) {
        return success ? new Success() : null;
    }

    /** Runs its work on a thread of its own whose body is a lambda, as kernels run a cell. */
    public static int work(int x) throws InterruptedException {
        int[] out = new int[1];
        Thread worker = new Thread(() -> out[0] = x * 2);
        worker.start();
        worker.join();
        return out[0];
    }

    /** A static entry: the class itself is passed on. */
    public static void entry(long a, double b) {
    }
}
