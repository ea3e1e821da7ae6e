package org.afmetrics.notebook;

import java.util.Map;
import java.util.TreeMap;

/** The last good conversion of one JSON source and what went wrong with it since start. */
public final class SourceHealth {
    private final String name;
    private final Map<String, Long> errors = new TreeMap<>();
    private Conversion lastGood;
    private double lastSuccessSeconds = Double.NaN;
    private String lastError;

    SourceHealth(String name) {
        this.name = name;
    }

    public synchronized String name() {
        return name;
    }

    synchronized void success(Conversion converted) {
        Conversion c = CounterGuard.apply(lastGood, converted);
        lastGood = c;
        lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
        for (Map.Entry<String, Integer> e : c.sampleErrors().entrySet()) {
            errors.merge(e.getKey(), (long) e.getValue(), Long::sum);
        }
        lastError = c.messages().isEmpty() ? null : c.messages().get(0);
    }

    synchronized void failure(String reason, String message) {
        errors.merge(reason, 1L, Long::sum);
        lastError = message;
    }

    /** The families to export: those of the last document that could be used. */
    public synchronized Conversion lastGood() {
        return lastGood;
    }

    public synchronized Map<String, Long> errors() {
        return new TreeMap<>(errors);
    }

    public synchronized double lastSuccessSeconds() {
        return lastSuccessSeconds;
    }

    public synchronized String lastError() {
        return lastError;
    }
}
