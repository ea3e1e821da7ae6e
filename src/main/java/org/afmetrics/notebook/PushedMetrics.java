package org.afmetrics.notebook;

import java.util.Set;

/**
 * The metrics a notebook last POSTed to the agent. A new body replaces the previous set as a
 * whole; a body that cannot be used leaves the previous set in place.
 */
public final class PushedMetrics {
    public static final String SOURCE = "push";

    private final SourceHealth health = new SourceHealth(SOURCE);
    private final String prefix;
    private final Set<String> reservedLabels;
    private final int maxSeries;
    private final ParseGate gate;

    public PushedMetrics(String prefix, Set<String> reservedLabels, int maxSeries) {
        this(prefix, reservedLabels, maxSeries, new ParseGate());
    }

    /** {@code gate}: the agent's one, shared with its JSON files. */
    public PushedMetrics(String prefix, Set<String> reservedLabels, int maxSeries, ParseGate gate) {
        this.prefix = prefix;
        this.reservedLabels = reservedLabels;
        this.maxSeries = maxSeries;
        this.gate = gate;
    }

    public Conversion accept(byte[] body, int length) throws NotebookJsonException {
        try {
            Conversion c = gate.convert(ParseGate.PUSH_WAIT_MS,
                    () -> NotebookJson.convert(body, length, prefix, reservedLabels, maxSeries, SOURCE));
            health.success(c);
            return c;
        } catch (NotebookJsonException e) {
            health.failure(e.reason(), e.getMessage());
            throw e;
        }
    }

    public void rejectedUnread(Reason reason, String message) {
        health.failure(reason, message);
    }

    public void clear() {
        health.success(Conversion.empty());
    }

    public SourceHealth health() {
        return health;
    }
}
