package org.afmetrics.exporter;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import org.afmetrics.identity.Identity;

/**
 * A registry whose every sample, whoever collected it (the JVM's hotspot collectors included),
 * leaves carrying the identity labels. A sample that already has one of those labels keeps its
 * own value for it.
 */
public final class LabelledRegistry extends CollectorRegistry {
    private volatile Identity identity;

    public LabelledRegistry(Identity identity) {
        super(true);
        this.identity = identity;
    }

    public Identity identity() {
        return identity;
    }

    /** Replaces the identity (e.g. once the kernel is known); the next scrape shows it. */
    public void setIdentity(Identity identity) {
        this.identity = identity;
    }

    @Override
    public Enumeration<MetricFamilySamples> metricFamilySamples() {
        return filteredMetricFamilySamples((Predicate<String>) null);
    }

    @Override
    public Enumeration<MetricFamilySamples> filteredMetricFamilySamples(Set<String> includedNames) {
        return labelled(super.filteredMetricFamilySamples(includedNames));
    }

    @Override
    public Enumeration<MetricFamilySamples> filteredMetricFamilySamples(Predicate<String> sampleNameFilter) {
        return labelled(super.filteredMetricFamilySamples(sampleNameFilter));
    }

    /** The families without identity labels, as the collectors made them. */
    public Enumeration<MetricFamilySamples> unlabelledSamples() {
        return super.filteredMetricFamilySamples((Predicate<String>) null);
    }

    private Enumeration<MetricFamilySamples> labelled(Enumeration<MetricFamilySamples> families) {
        Identity id = identity;
        List<MetricFamilySamples> out = new ArrayList<>();
        while (families.hasMoreElements()) {
            out.add(label(families.nextElement(), id));
        }
        return Collections.enumeration(out);
    }

    static MetricFamilySamples label(MetricFamilySamples family, Identity id) {
        List<String> idNames = id.labelNames();
        List<String> idValues = id.labelValues();
        List<Sample> samples = new ArrayList<>(family.samples.size());
        for (Sample s : family.samples) {
            int n = idNames.size() + s.labelNames.size();
            List<String> names = new ArrayList<>(n);
            List<String> values = new ArrayList<>(n);
            for (int i = 0; i < idNames.size(); i++) {
                if (!s.labelNames.contains(idNames.get(i))) {
                    names.add(idNames.get(i));
                    values.add(idValues.get(i));
                }
            }
            names.addAll(s.labelNames);
            values.addAll(s.labelValues);
            samples.add(new Sample(s.name, names, values, s.value, s.exemplar, s.timestampMs));
        }
        return new MetricFamilySamples(family.name, family.unit, family.type, family.help, samples);
    }
}
