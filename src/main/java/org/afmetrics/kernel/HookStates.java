package org.afmetrics.kernel;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.kernel.HookPoints.HookPoint;
import org.afmetrics.support.Log;

/**
 * What became of each hook point whose class the JVM loaded: {@code afmetrics_kernel_hooks{hook,
 * state}} = 1, {@code state} one of {@link State}'s labels. A missing or failed hook is told once
 * on stderr, naming class and method: a kernel upgrade that reshapes a hook point then shows
 * instead of silently yielding no cell metrics.
 */
final class HookStates {
    static final String NAME = "afmetrics_kernel_hooks";

    /** A hook point's state: the {@code state} label. */
    enum State {
        WOVEN("woven"),
        /** The class loaded, but the method or its shape is not there (another kernel version). */
        MISSING("missing"),
        /** Weaving threw, or the class loader reaches no bridge. */
        FAILED("failed");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    private final Map<HookPoint, State> states = new LinkedHashMap<>();

    synchronized void woven(HookPoint p) {
        states.put(p, State.WOVEN);
    }

    synchronized void missing(HookPoint p) {
        if (states.put(p, State.MISSING) != State.MISSING) {
            Log.warn("cell hook missing: " + p.qualifiedName() + " " + String.join(" or ", p.descriptors)
                    + " is not in this version of the kernel class, so it was left as it is");
        }
    }

    synchronized void failed(HookPoint p, String why) {
        if (states.put(p, State.FAILED) != State.FAILED) {
            Log.warn("cell hook failed: " + p.qualifiedName() + " was left as it is: " + why);
        }
    }

    synchronized State state(HookPoint p) {
        return states.get(p);
    }

    /** The family, empty while no hooked class was loaded (a JVM that is no kernel exports none). */
    synchronized List<MetricFamilySamples> collect() {
        if (states.isEmpty()) {
            return Collections.emptyList();
        }
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        List<String> names = Arrays.asList("hook", "state");
        for (Map.Entry<HookPoint, State> e : states.entrySet()) {
            samples.add(new MetricFamilySamples.Sample(NAME, names, Arrays.asList(e.getKey().label(),
                    e.getValue().label), 1));
        }
        return Collections.singletonList(new MetricFamilySamples(NAME, Type.GAUGE,
                "Kernel cell hook points whose class was loaded, by state: woven, missing (method or its shape"
                        + " absent in this kernel version) or failed (weaving threw).", samples));
    }
}
