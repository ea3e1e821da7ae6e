package org.afmetrics.notebook;

import io.prometheus.client.Collector.MetricFamilySamples;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one JSON document became: its metric families, kept as they are until the document
 * changes, and what could not be used.
 */
public final class Conversion {
    private final List<MetricFamilySamples> families;
    private final int series;
    private final int skippedFields;
    private final Map<String, Integer> sampleErrors;
    private final List<String> messages;

    Conversion(List<MetricFamilySamples> families, int series, int skippedFields,
               Map<String, Integer> sampleErrors, List<String> messages) {
        this.families = Collections.unmodifiableList(families);
        this.series = series;
        this.skippedFields = skippedFields;
        this.sampleErrors = Collections.unmodifiableMap(sampleErrors);
        this.messages = Collections.unmodifiableList(messages);
    }

    /** A conversion still to be done, e.g. waiting for its turn at the {@link ParseGate}. */
    interface Source {
        Conversion convert() throws NotebookJsonException;
    }

    static Conversion empty() {
        return new Conversion(Collections.emptyList(), 0, 0, Collections.emptyMap(), Collections.emptyList());
    }

    public List<MetricFamilySamples> families() {
        return families;
    }

    public int series() {
        return series;
    }

    /** Fields of the plain form that held no number (e.g. Coffea's {@code columns} list). */
    public int skippedFields() {
        return skippedFields;
    }

    /** Samples rejected one by one, by {@link Reason#label()} (label clash, invalid value, duplicate…), in label order. */
    public Map<String, Integer> sampleErrors() {
        return sampleErrors;
    }

    /** Human-readable descriptions of the rejected samples (the first few). */
    public List<String> messages() {
        return messages;
    }
}
