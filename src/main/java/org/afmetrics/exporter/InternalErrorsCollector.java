package org.afmetrics.exporter;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.afmetrics.support.InternalErrors;

/** {@code afmetrics_internal_errors_total{what}}: errors inside the agent, dropped with their work. */
public final class InternalErrorsCollector extends Collector {
    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily f = new CounterMetricFamily("afmetrics_internal_errors",
                "Errors inside the agent (out of memory included) whose work was dropped so the application could "
                        + "run on, by what the agent was doing.", Collections.singletonList("what"));
        for (Map.Entry<String, Long> e : InternalErrors.snapshot().entrySet()) {
            f.addMetric(Collections.singletonList(e.getKey()), e.getValue());
        }
        return Collections.singletonList(f);
    }
}
