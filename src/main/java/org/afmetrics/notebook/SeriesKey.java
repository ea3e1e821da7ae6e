package org.afmetrics.notebook;

import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.List;

/**
 * What makes a series itself: its sample name and its label names and values, in order. Two keys
 * are equal exactly when all three are, element by element, so no label value can make two
 * series look alike ({@code {a="p, q",b="r"}} and {@code {a="p",b="q, r"}} are two series).
 * The one identity of a series wherever series are compared: duplicates within a document
 * ({@link SeriesBuilder}), across sources ({@link NotebookCollector}) and between two versions of
 * a source ({@link CounterGuard}).
 * <p>
 * A key is made for every series a document gives, so it copies nothing: it holds the sample's
 * own lists, which nothing changes once a sample is made, and its hash is computed once.
 */
final class SeriesKey {
    private final String name;
    private final List<String> labelNames;
    private final List<String> labelValues;
    private final int hash;

    private SeriesKey(String name, List<String> labelNames, List<String> labelValues) {
        this.name = name;
        this.labelNames = labelNames;
        this.labelValues = labelValues;
        this.hash = (31 * name.hashCode() + labelNames.hashCode()) * 31 + labelValues.hashCode();
    }

    static SeriesKey of(Sample s) {
        return new SeriesKey(s.name, s.labelNames, s.labelValues);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeriesKey)) {
            return false;
        }
        SeriesKey k = (SeriesKey) o;
        return hash == k.hash && name.equals(k.name) && labelNames.equals(k.labelNames)
                && labelValues.equals(k.labelValues);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** For test failures and debugging only: series are never told apart by this text. */
    @Override
    public String toString() {
        return name + labelNames + labelValues;
    }
}
