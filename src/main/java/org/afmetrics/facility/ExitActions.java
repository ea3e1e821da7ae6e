package org.afmetrics.facility;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.afmetrics.support.AgentThreads;
import org.afmetrics.support.Log;

/**
 * What the agent does when the JVM exits (push the final metrics, remove the target file), in
 * one shutdown hook with a time budget: the JVM's exit waits at most that long for it.
 * <p>
 * A push is armed at premain, before the agent has started, so a JVM that ends in a few hundred
 * milliseconds still pushes once the start catches up (within the budget): the push is what such
 * a JVM is monitored by. A target file asks for no wait: the start writes it only between
 * {@link #beginUndoable} and {@link #endUndoable}, which refuse once the JVM exits, and the hook
 * waits only for a write under way. A short JVM then exits as fast as without a target file.
 */
public final class ExitActions {
    private static final Object LOCK = new Object();
    private static final List<Action> ACTIONS = new ArrayList<>();
    private static final CountDownLatch STARTED = new CountDownLatch(1);
    private static boolean armed;
    /** The hook has begun (or could not be installed because the JVM was exiting already). */
    private static boolean exiting;
    /** Whether the hook waits for the start to finish: a push is armed. */
    private static boolean awaitStart;
    /** Writes under way that an action must undo at exit. */
    private static int undoablesUnderWay;
    /** The longest budget anyone asked for (the pushgateway-timeout-ms setting). */
    private static long budgetMs;

    private ExitActions() {
    }

    /** One thing to do at exit. */
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Installs the shutdown hook once; the budget bounds how long it may delay the exit. With
     * {@code awaitStart} the hook first waits for the agent's start (half the budget at most).
     */
    public static void arm(long budget, boolean awaitStart) {
        synchronized (LOCK) {
            budgetMs = Math.max(budgetMs, budget);
            ExitActions.awaitStart |= awaitStart;
            if (armed) {
                return;
            }
            armed = true;
        }
        Thread hook = AgentThreads.create("exit", ExitActions::runAll);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: nothing may be written that no hook would undo
            synchronized (LOCK) {
                exiting = true;
            }
        }
    }

    /**
     * Before writing something that an exit action must undo (the target file): false, and
     * nothing may be written, once the JVM is exiting. A true must be followed by
     * {@link #endUndoable}, whatever the write's outcome.
     */
    public static boolean beginUndoable(long budget) {
        arm(budget, false);
        synchronized (LOCK) {
            if (exiting) {
                return false;
            }
            undoablesUnderWay++;
            return true;
        }
    }

    /** After the write that {@link #beginUndoable} allowed: its undoing at exit, or null when nothing was written. */
    public static void endUndoable(String what, Action undo) {
        synchronized (LOCK) {
            if (undo != null) {
                ACTIONS.add(named(what, undo));
            }
            undoablesUnderWay--;
            LOCK.notifyAll();
        }
    }

    /** Adds an action, arming the hook if premain did not. */
    public static void add(String what, Action action, long budget) {
        arm(budget, false);
        synchronized (LOCK) {
            ACTIONS.add(named(what, action));
        }
    }

    private static Action named(String what, Action action) {
        return new Action() {
            @Override
            public void run() throws Exception {
                action.run();
            }

            @Override
            public String toString() {
                return what;
            }
        };
    }

    /** The agent's start has registered all it will (or failed): the hook need wait no longer. */
    public static void startFinished() {
        STARTED.countDown();
    }

    private static void runAll() {
        long budgetMs;
        boolean awaitStart;
        synchronized (LOCK) {
            exiting = true;
            budgetMs = Math.max(1, ExitActions.budgetMs);
            awaitStart = ExitActions.awaitStart;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        List<Action> todo;
        try {
            if (awaitStart) {
                STARTED.await(budgetMs / 2, TimeUnit.MILLISECONDS);
            }
            synchronized (LOCK) {
                // a write begun before the exit is finished and undone; none begins after it
                long halfway = deadline - TimeUnit.MILLISECONDS.toNanos(budgetMs / 2);
                while (undoablesUnderWay > 0 && halfway - System.nanoTime() > 0) {
                    LOCK.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(halfway - System.nanoTime())));
                }
                todo = new ArrayList<>(ACTIONS);
            }
        } catch (InterruptedException e) {
            return;
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
