package org.afmetrics.facility;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.afmetrics.support.AgentThreads;
import org.afmetrics.support.Log;

/**
 * What the agent does when the JVM exits (push the final metrics, remove the target file), in
 * one shutdown hook with a time budget: the JVM's exit waits at most that long for it. The hook
 * is armed at premain, before the agent has started, so a JVM that ends in a few hundred
 * milliseconds still gets its actions once the start catches up (within the budget).
 */
public final class ExitActions {
    private static final Object LOCK = new Object();
    private static final List<Action> ACTIONS = new ArrayList<>();
    private static final CountDownLatch STARTED = new CountDownLatch(1);
    private static boolean armed;
    /** The longest budget anyone asked for (the pushgateway-timeout-ms setting). */
    private static long budgetMs;

    private ExitActions() {
    }

    /** One thing to do at exit. */
    public interface Action {
        void run() throws Exception;
    }

    /** Installs the shutdown hook once; the budget bounds how long it may delay the exit. */
    public static void arm(long budget) {
        synchronized (LOCK) {
            budgetMs = Math.max(budgetMs, budget);
            if (armed) {
                return;
            }
            armed = true;
        }
        Thread hook = AgentThreads.create("exit", ExitActions::runAll);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: there is nothing left to prepare for
        }
    }

    /** Adds an action, arming the hook if premain did not. */
    public static void add(String what, Action action, long budget) {
        arm(budget);
        synchronized (LOCK) {
            ACTIONS.add(new Action() {
                @Override
                public void run() throws Exception {
                    action.run();
                }

                @Override
                public String toString() {
                    return what;
                }
            });
        }
    }

    /** The agent's start has registered all it will (or failed): the hook need wait no longer. */
    public static void startFinished() {
        STARTED.countDown();
    }

    private static void runAll() {
        long budgetMs;
        synchronized (LOCK) {
            budgetMs = Math.max(1, ExitActions.budgetMs);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        try {
            STARTED.await(budgetMs / 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return;
        }
        List<Action> todo;
        synchronized (LOCK) {
            todo = new ArrayList<>(ACTIONS);
        }
        // last registered, first run: the target file (quick, local) goes before the push (network)
        java.util.Collections.reverse(todo);
        if (todo.isEmpty()) {
            return;
        }
        // a worker so that an action stuck in I/O cannot hold the exit past the deadline
        Thread worker = AgentThreads.start("exit-worker", () -> {
            for (Action a : todo) {
                try {
                    a.run();
                } catch (Throwable t) {
                    Log.warn("at exit, " + a + " failed: " + Log.describe(t));
                }
            }
        });
        try {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException ignored) {
            return;
        }
        if (worker.isAlive()) {
            Log.warn("at exit, gave up after " + budgetMs + " ms (pushgateway-timeout-ms)");
        }
    }
}
