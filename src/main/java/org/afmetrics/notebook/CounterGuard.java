package org.afmetrics.notebook;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the counters of one source from going down. A new document whose counter is lower than
 * the one exported before is most often a stale or out-of-order write, and passing it on would
 * show Prometheus a reset and a spurious jump in {@code rate()}. Such a sample keeps its last
 * exported value and is counted as {@link Reason#COUNTER_DECREASED}. A counter back at exactly 0 is a
 * genuine restart of the count (a notebook run again) and is passed on as the reset it is.
 */
final class CounterGuard {
    private static final int MAX_MESSAGES = 20;

    private CounterGuard() {
    }

    static Conversion apply(Conversion previous, Conversion next) {
        if (previous == null || next == null) {
            return next;
        }
        Map<SeriesKey, Double> before = new HashMap<>();
        for (MetricFamilySamples f : previous.families()) {
            if (f.type == Collector.Type.COUNTER) {
                for (Sample s : f.samples) {
                    before.put(SeriesKey.of(s), s.value);
                }
            }
        }
        if (before.isEmpty()) {
            return next;
        }
        int decreased = 0;
        List<String> messages = new ArrayList<>(next.messages());
        List<MetricFamilySamples> families = new ArrayList<>(next.families().size());
        int ordinal = 0;
        for (MetricFamilySamples f : next.families()) {
            int first = ordinal;
            ordinal += f.samples.size();
            if (f.type != Collector.Type.COUNTER) {
                families.add(f);
                continue;
            }
            List<Sample> samples = null;
            for (int i = 0; i < f.samples.size(); i++) {
                Sample s = f.samples.get(i);
                Double last = before.get(SeriesKey.of(s));
                if (last == null || s.value >= last || s.value == 0) {
                    continue;
                }
                if (samples == null) {
                    samples = new ArrayList<>(f.samples);
                }
                samples.set(i, new Sample(s.name, s.labelNames, s.labelValues, last, s.exemplar, s.timestampMs));
                decreased++;
                if (messages.size() < MAX_MESSAGES) {
                    // by its place only: names, labels and values are the document's
                    messages.add("exported series " + (first + i + 1) + " (a counter) went down; its last"
                            + " value is kept");
                }
            }
            families.add(samples == null ? f : new MetricFamilySamples(f.name, f.unit, f.type, f.help, samples));
        }
        if (decreased == 0) {
            return next;
        }
        Map<String, Integer> errors = new TreeMap<>(next.sampleErrors());
        errors.merge(Reason.COUNTER_DECREASED.label(), decreased, Integer::sum);
        return new Conversion(families, next.series(), next.skippedFields(), errors, messages);
    }
}
