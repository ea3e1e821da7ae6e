package org.afmetrics.exporter;

import io.prometheus.client.Collector;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** {@code afmetrics_agent_info{version,java_version} 1}: which agent serves, on which Java. */
public final class AgentInfoCollector extends Collector {
    private final List<MetricFamilySamples> families;

    public AgentInfoCollector(String version) {
        MetricFamilySamples.Sample sample = new MetricFamilySamples.Sample("afmetrics_agent_info",
                Arrays.asList("version", "java_version"),
                Arrays.asList(version, System.getProperty("java.version", "unknown")), 1);
        families = Collections.singletonList(new MetricFamilySamples("afmetrics_agent_info", Type.GAUGE,
                "The af-metrics agent serving these metrics, and the Java it runs on.",
                Collections.singletonList(sample)));
    }

    @Override
    public List<MetricFamilySamples> collect() {
        return families;
    }
}
