package org.afmetrics.exporter;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.afmetrics.support.AgentThreads;
import org.afmetrics.support.InternalErrors;

/**
 * Runs the JDK server's exchanges on a few daemon threads and cuts any exchange that stays too
 * long in one phase: reading the request head, reading the body, or writing the response.
 * The JDK server hands an exchange to this executor only once its connection has something to
 * read (idle and never-speaking connections wait in its selector, on no thread), and does all
 * its I/O on socket channels: interrupting the exchange's thread closes the channel, so an
 * overdue exchange's connection really is closed and its thread freed. A cut is counted once
 * the exchange has in fact ended after the interrupt. While exchanges wait for a thread, the
 * deadlines shorten: a client that dribbles its request then gives its thread up to one that
 * has sent its own (a real client sends its head in one packet, its body at network speed).
 */
final class DeadlineExecutor implements Executor {
    /** Where an exchange is; each phase has a deadline of its own, from the moment it began. */
    enum Phase {
        HEAD, BODY, RESPONSE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();

    private final ThreadPoolExecutor pool;
    private final Map<Phase, Long> deadlineNanos = new EnumMap<>(Phase.class);
    private final Map<Phase, Long> pressedNanos = new EnumMap<>(Phase.class);
    private final Map<Slot, Boolean> running = new ConcurrentHashMap<>();
    private final Map<Phase, AtomicLong> cut = new EnumMap<>(Phase.class);
    private final Thread watchdog;
    private volatile boolean stopped;

    /** Deadlines in milliseconds by phase (head, body, response), when all is calm and while others wait. */
    DeadlineExecutor(int threads, long[] calmMillis, long[] pressedMillis) {
        this.pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                AgentThreads.factory("http"));
        // idle threads go away: an agent nobody scrapes keeps no thread but the watchdog's
        pool.allowCoreThreadTimeOut(true);
        long shortest = Long.MAX_VALUE;
        for (Phase p : Phase.values()) {
            deadlineNanos.put(p, TimeUnit.MILLISECONDS.toNanos(calmMillis[p.ordinal()]));
            pressedNanos.put(p, TimeUnit.MILLISECONDS.toNanos(pressedMillis[p.ordinal()]));
            shortest = Math.min(shortest, pressedMillis[p.ordinal()]);
            cut.put(p, new AtomicLong());
        }
        long period = Math.max(20, Math.min(500, shortest / 5));
        this.watchdog = AgentThreads.start("http-watchdog", () -> watch(period));
    }

    @Override
    public void execute(Runnable exchange) {
        pool.execute(() -> {
            Slot slot = new Slot(Thread.currentThread());
            running.put(slot, Boolean.TRUE);
            CURRENT.set(slot);
            try {
                exchange.run();
            } catch (Throwable e) {
                // the JDK's exchange lets errors (OutOfMemoryError…) through; the thread serves on
                InternalErrors.count("http", e);
            } finally {
                CURRENT.remove();
                running.remove(slot);
                Phase cutIn = slot.finish();
                if (cutIn != null) {
                    cut.get(cutIn).incrementAndGet();
                }
            }
        });
    }

    private void watch(long periodMillis) {
        while (!stopped) {
            try {
                Thread.sleep(periodMillis);
                interruptOverdue();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                // a failed round is counted and the watchdog goes on
                InternalErrors.count("http-watchdog", e);
            }
        }
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        Map<Phase, Long> deadlines = pool.getQueue().isEmpty() ? deadlineNanos : pressedNanos;
        for (Slot s : running.keySet()) {
            s.interruptIfOverdue(now, deadlines);
        }
    }

    /** The exchange on this thread has moved on to {@code phase}; its deadline restarts. */
    static void enter(Phase phase) {
        Slot s = CURRENT.get();
        if (s != null) {
            s.enter(phase);
        }
    }

    /** Exchanges closed at a deadline since start, by the phase they were in. */
    Map<Phase, Long> cutOff() {
        Map<Phase, Long> m = new EnumMap<>(Phase.class);
        cut.forEach((p, n) -> m.put(p, n.get()));
        return m;
    }

    /** A connection cut elsewhere (a head that did not arrive in time on the selector). */
    void countCut(Phase phase) {
        cut.get(phase).incrementAndGet();
    }

    void shutdown() {
        stopped = true;
        watchdog.interrupt();
        pool.shutdownNow();
    }

    /** One exchange on one thread; the lock keeps an interrupt from reaching the thread's next exchange. */
    private static final class Slot {
        final Thread thread;
        private Phase phase = Phase.HEAD;
        private long since = System.nanoTime();
        private Phase interruptedIn;
        private boolean done;

        Slot(Thread thread) {
            this.thread = thread;
        }

        synchronized void enter(Phase p) {
            if (interruptedIn == null) {
                phase = p;
                since = System.nanoTime();
            }
        }

        synchronized void interruptIfOverdue(long now, Map<Phase, Long> deadlines) {
            if (done || interruptedIn != null || now - since <= deadlines.get(phase)) {
                return;
            }
            interruptedIn = phase;
            // blocked in channel I/O, the channel is closed at once; otherwise the next I/O fails
            thread.interrupt();
        }

        /** Ends the slot; the phase it was cut in, or null when it ran to its end unhindered. */
        synchronized Phase finish() {
            done = true;
            Thread.interrupted();
            return interruptedIn;
        }
    }
}
