package org.afmetrics.testing.apps;

/**
 * A host whose exit takes a while: its own shutdown hook sleeps for the second argument's
 * milliseconds, so the JVM lives on after the agent's exit hook has run (hooks run side by side).
 * Its main sleeps for the first argument's milliseconds, then returns.
 */
public final class SlowExitMain {
    private SlowExitMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        long mainMs = Long.parseLong(args[0]);
        long hookMs = Long.parseLong(args[1]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(hookMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-exit"));
        System.out.println("host main started");
        Thread.sleep(mainMs);
    }
}
