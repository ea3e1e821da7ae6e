package org.afmetrics.notebook;

import java.util.Map;
import java.util.TreeMap;

/** The last good conversion of one JSON source and what went wrong with it since start. */
public final class SourceHealth {
    private final String name;
    /** By {@link Reason#label()}, in label order as exported. */
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
            if (!errors.containsKey(e.getKey())) {
                org.afmetrics.support.Log.warn("json source " + name + ": " + e.getKey() + " (" + e.getValue()
                        + " sample(s) not used; first problem in this version: " + firstMessage(c)
                        + "); the rest of it is exported; afmetrics_json_errors_total counts further ones");
            }
            errors.merge(e.getKey(), (long) e.getValue(), Long::sum);
        }
        lastError = c.messages().isEmpty() ? null : c.messages().get(0);
    }

    synchronized void failure(Reason reason, String message) {
        if (!errors.containsKey(reason.label())) {
            tellOnce(reason, message);
        }
        errors.merge(reason.label(), 1L, Long::sum);
        lastError = message;
    }

    /**
     * One stderr line the first time a reason is met for this source (here and in
     * {@link #success}); a notebook that keeps writing the same bad file must not flood the
     * kernel's log, the counter says the rest.
     */
    private void tellOnce(Reason reason, String message) {
        org.afmetrics.support.Log.warn("json source " + name + ": " + reason + " (" + message + "); "
                + (lastGood == null ? "nothing exported from it yet" : "its last good values stay")
                + "; afmetrics_json_errors_total counts further ones");
    }

    private static String firstMessage(Conversion c) {
        return c.messages().isEmpty() ? "none recorded" : c.messages().get(0);
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
