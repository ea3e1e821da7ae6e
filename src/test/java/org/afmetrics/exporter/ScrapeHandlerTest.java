package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.afmetrics.identity.Identity;
import org.junit.jupiter.api.Test;

class ScrapeHandlerTest {
    /** Hands back the same family object on every collect, as the notebook collector does until its file changes. */
    private static final class SameFamily extends Collector {
        final List<Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        MetricFamilySamples family = fresh();

        MetricFamilySamples fresh() {
            return new MetricFamilySamples("notebook_events", Type.GAUGE, "Events.", samples);
        }

        @Override
        public List<MetricFamilySamples> collect() {
            return Collections.singletonList(family);
        }
    }

    private static Collector.MetricFamilySamples.Sample sample(String ds, double v) {
        return new Collector.MetricFamilySamples.Sample("notebook_events", List.of("dataset"), List.of(ds), v);
    }

    private static String simpleclient(LabelledRegistry r, boolean om) throws Exception {
        StringWriter w = new StringWriter();
        if (om) {
            TextFormat.writeOpenMetrics100(w, r.metricFamilySamples());
        } else {
            TextFormat.write004(w, r.metricFamilySamples());
        }
        return w.toString();
    }

    @Test
    void rendersExactlyWhatSimpleclientWouldInBothFormats() throws Exception {
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        SameFamily c = new SameFamily();
        c.samples.addAll(Arrays.asList(sample("a", 1), sample("b", 2.5)));
        r.register(c);
        r.register(new AgentInfoCollector("9.9"));
        ScrapeHandler h = new ScrapeHandler(r);
        for (boolean om : new boolean[] {false, true}) {
            String expected = simpleclient(r, om);
            assertEquals(expected, new String(h.render(om), StandardCharsets.UTF_8));
            assertEquals(expected, new String(h.render(om), StandardCharsets.UTF_8), "and again from the cache");
        }
        assertTrue(new String(h.render(true), StandardCharsets.UTF_8).endsWith("# EOF\n"));
    }

    @Test
    void aFamilyIsRenderedAgainOnlyWhenItsCollectorHandsOverANewObjectOrTheIdentityChanges() throws Exception {
        LabelledRegistry r = new LabelledRegistry(new Identity(Map.of("user", "alice", "session", "s1")));
        SameFamily c = new SameFamily();
        c.samples.add(sample("a", 1));
        r.register(c);
        ScrapeHandler h = new ScrapeHandler(r);
        String first = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(first.contains("dataset=\"a\""), first);

        c.samples.add(sample("b", 2)); // the same object, changed behind the cache's back
        assertEquals(first, new String(h.render(false), StandardCharsets.UTF_8), "the same object: its bytes are reused");

        c.family = c.fresh(); // what a changed file gives
        String second = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(second.contains("dataset=\"b\""), second);

        r.setIdentity(new Identity(Map.of("user", "bob", "session", "s2")));
        String third = new String(h.render(false), StandardCharsets.UTF_8);
        assertTrue(third.contains("user=\"bob\"") && !third.contains("alice"), third);
        assertEquals(simpleclient(r, false), third);
    }

    @Test
    void nameFiltersAreAnsweredUncached() {
        assertEquals(null, ScrapeHandler.namesAskedFor(null));
        assertEquals(null, ScrapeHandler.namesAskedFor("debug=1"));
        assertEquals(java.util.Set.of("a_total", "b"), ScrapeHandler.namesAskedFor("name%5B%5D=a_total&name[]=b&x=1"));
    }
}
