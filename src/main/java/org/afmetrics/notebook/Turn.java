package org.afmetrics.notebook;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One holder at a time; the others wait their turn, in the order they came, for a bounded while
 * only. For work whose cost must not add up when callers arrive together: a document's
 * conversion ({@link ParseGate}), a pushed body in memory, a large uncached render.
 */
public final class Turn {
    private final Semaphore one = new Semaphore(1, true);

    /**
     * Whether the turn came within {@code waitMs}; then {@link #leave()} must follow. An
     * interrupted wait is no turn (the thread keeps its interrupt).
     */
    public boolean tryEnter(long waitMs) {
        try {
            return one.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void leave() {
        one.release();
    }
}
