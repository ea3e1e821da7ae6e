package org.afmetrics.support;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What went wrong inside the agent and was dropped so the host could run on: counted by what the
 * agent was doing ({@code afmetrics_internal_errors_total{what}}), never printed as a stack trace.
 * Counting allocates nothing once a kind has been seen, so an {@link OutOfMemoryError} can be counted.
 */
public final class InternalErrors {
    private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private InternalErrors() {
    }

    /** Counts one error of the given kind; never throws. */
    public static void count(String what, Throwable error) {
        try {
            AtomicLong n = COUNTS.get(what);
            if (n == null) {
                n = COUNTS.computeIfAbsent(what, k -> new AtomicLong());
            }
            n.incrementAndGet();
        } catch (Throwable ignored) {
            // no memory even for the counter: the error is dropped with the work it interrupted
        }
    }

    /** The counts so far, by kind, in name order. */
    public static Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        COUNTS.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }
}
