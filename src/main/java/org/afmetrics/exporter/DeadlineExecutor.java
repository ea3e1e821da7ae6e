package org.afmetrics.exporter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the HTTP exchanges on a few daemon threads and interrupts any exchange that holds its
 * thread too long. The JDK's server reads the request head on the pool thread with no time limit
 * of its own, so without this a handful of clients that send a request one byte at a time
 * (slow-loris) would hold every thread and no scrape would be answered. A request head gets a
 * short deadline (a real client sends it in one packet), the whole exchange a longer one.
 * Interrupting a thread blocked on a socket channel closes that connection only.
 */
final class DeadlineExecutor implements Executor {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();

    private final long headDeadlineNanos;
    private final long deadlineNanos;
    private final Map<Slot, Boolean> running = new ConcurrentHashMap<>();
    private final AtomicLong interrupted = new AtomicLong();
    private final java.util.Timer watchdog;

    DeadlineExecutor(int threads, long headDeadlineMillis, long deadlineMillis) {
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "af-metrics-http-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // idle threads go away: an agent nobody scrapes keeps no thread but the watchdog's
        pool.allowCoreThreadTimeOut(true);
        this.headDeadlineNanos = TimeUnit.MILLISECONDS.toNanos(headDeadlineMillis);
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.watchdog = new java.util.Timer("af-metrics-http-watchdog-" + id, true);
        long period = Math.max(100, Math.min(1000, headDeadlineMillis / 4));
        watchdog.schedule(new java.util.TimerTask() {
            @Override
            public void run() {
                interruptOverdue();
            }
        }, period, period);
    }

    @Override
    public void execute(Runnable exchange) {
        pool.execute(() -> {
            Slot slot = new Slot(Thread.currentThread());
            running.put(slot, Boolean.TRUE);
            CURRENT.set(slot);
            try {
                exchange.run();
            } finally {
                CURRENT.remove();
                running.remove(slot);
                slot.finish();
            }
        });
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        for (Slot s : running.keySet()) {
            long limit = s.handling ? deadlineNanos : headDeadlineNanos;
            if (now - s.started > limit && s.interrupt()) {
                interrupted.incrementAndGet();
            }
        }
    }

    /** Called by a handler: the request head is read, the exchange's longer deadline applies. */
    static void headRead() {
        Slot s = CURRENT.get();
        if (s != null) {
            s.handling = true;
        }
    }

    /** Exchanges cut off at the deadline since start. */
    long interruptedCount() {
        return interrupted.get();
    }

    void shutdown() {
        watchdog.cancel();
        pool.shutdownNow();
    }

    /** One exchange on one thread; the lock keeps an interrupt from reaching the thread's next exchange. */
    private static final class Slot {
        final Thread thread;
        final long started = System.nanoTime();
        volatile boolean handling;
        private boolean done;

        Slot(Thread thread) {
            this.thread = thread;
        }

        synchronized boolean interrupt() {
            if (done) {
                return false;
            }
            done = true;
            thread.interrupt();
            return true;
        }

        synchronized void finish() {
            done = true;
            Thread.interrupted();
        }
    }
}
