package org.afmetrics.support;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread the agent starts: a daemon (the host exits as if the agent were not there), in the
 * agent's own thread group, whose uncaught-exception handler counts the error in
 * {@link InternalErrors} instead of printing a stack trace on the host's stderr. Threads that
 * library code starts from an agent thread (the JDK HTTP server's dispatcher and timer) join the
 * same group and are covered too.
 */
public final class AgentThreads {
    private static final ThreadGroup GROUP = group();

    private AgentThreads() {
    }

    private static ThreadGroup group() {
        ThreadGroup parent = Thread.currentThread().getThreadGroup();
        while (parent.getParent() != null) {
            parent = parent.getParent();
        }
        return new ThreadGroup(parent, "af-metrics") {
            @Override
            public void uncaughtException(Thread t, Throwable e) {
                InternalErrors.count(whatOf(t), e);
            }
        };
    }

    /** The {@code what} label of a thread's errors: its name without the running number. */
    static String whatOf(Thread t) {
        String name = t.getName();
        String what = name.startsWith("af-metrics-") ? name.substring("af-metrics-".length()) : "jdk-" + name;
        int end = what.length();
        while (end > 0 && (Character.isDigit(what.charAt(end - 1)) || what.charAt(end - 1) == '-')) {
            end--;
        }
        return end == 0 ? "thread" : what.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    }

    /** A started daemon thread {@code af-metrics-NAME} running the task with every error caught and counted. */
    public static Thread start(String name, Runnable task) {
        Thread t = create(name, task);
        t.start();
        return t;
    }

    /** As {@link #start}, not yet started. */
    public static Thread create(String name, Runnable task) {
        Thread t = new Thread(GROUP, guarded(name, task), "af-metrics-" + name);
        t.setDaemon(true);
        return t;
    }

    /** Threads {@code af-metrics-PREFIX-N}, for pools. */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> create(prefix + "-" + n.incrementAndGet(), task);
    }

    /** The task with every error, {@link OutOfMemoryError} included, caught and counted under {@code what}. */
    public static Runnable guarded(String what, Runnable task) {
        return new Guarded(what, task);
    }

    private static final class Guarded implements Runnable {
        private final String what;
        private final Runnable task;

        Guarded(String what, Runnable task) {
            int dash = what.length();
            while (dash > 0 && (Character.isDigit(what.charAt(dash - 1)) || what.charAt(dash - 1) == '-')) {
                dash--;
            }
            this.what = dash == 0 ? what : what.substring(0, dash);
            this.task = task;
        }

        @Override
        public void run() {
            try {
                task.run();
            } catch (Throwable e) {
                InternalErrors.count(what, e);
            }
        }
    }
}
