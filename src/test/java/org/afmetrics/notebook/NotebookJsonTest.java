package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotebookJsonTest {
    static final Set<String> RESERVED = Set.of("user", "session", "notebook", "kernel");

    static Conversion convert(String json) throws NotebookJsonException {
        return convert(json, 20000);
    }

    static Conversion convert(String json, int maxSeries) throws NotebookJsonException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return NotebookJson.convert(b, b.length, "notebook_", RESERVED, maxSeries, "test.json");
    }

    static MetricFamilySamples family(Conversion c, String name) {
        return c.families().stream().filter(f -> f.name.equals(name)).findFirst().orElse(null);
    }

    @Test
    void typedFormFromTheIssue() throws Exception {
        Conversion c = convert("{\"metrics\":[{\"name\":\"events_processed_total\",\"type\":\"counter\",\"help\":"
                + "\"Events processed\",\"labels\":{\"dataset\":\"SingleMu\"},\"value\":53446198}]}");
        MetricFamilySamples f = family(c, "notebook_events_processed");
        assertEquals(Collector.Type.COUNTER, f.type);
        assertEquals("Events processed", f.help);
        Sample s = f.samples.get(0);
        assertEquals("notebook_events_processed_total", s.name);
        assertEquals(List.of("dataset"), s.labelNames);
        assertEquals(List.of("SingleMu"), s.labelValues);
        assertEquals(53446198, s.value);
    }

    @Test
    void typedGaugeUntypedAndCounterWithoutSuffix() throws Exception {
        Conversion c = convert("{\"metrics\":[{\"name\":\"chunks\",\"type\":\"counter\",\"value\":5},"
                + "{\"name\":\"mem\",\"value\":1.5},{\"name\":\"ratio\",\"type\":\"untyped\",\"value\":\"0.25\"}]}");
        assertEquals("notebook_chunks_total", family(c, "notebook_chunks").samples.get(0).name);
        assertEquals(Collector.Type.GAUGE, family(c, "notebook_mem").type);
        assertEquals(Collector.Type.UNKNOWN, family(c, "notebook_ratio").type);
        assertEquals(0.25, family(c, "notebook_ratio").samples.get(0).value);
        assertEquals(3, c.series());
    }

    @Test
    void coffeaSavemetricsObject() throws Exception {
        Conversion c = convert("{\"bytesread\": 2727541868, \"columns\": [\"Jet_eta\",\"nJet\",\"Jet_pt\"],"
                + " \"entries\": 53446198, \"processtime\": 1071.2078902721405, \"chunks\": 534}");
        assertEquals(4, c.families().size());
        assertEquals(2727541868.0, family(c, "notebook_bytesread").samples.get(0).value);
        assertEquals(53446198, family(c, "notebook_entries").samples.get(0).value);
        assertEquals(1071.2078902721405, family(c, "notebook_processtime").samples.get(0).value);
        assertEquals(534, family(c, "notebook_chunks").samples.get(0).value);
        assertEquals(Collector.Type.GAUGE, family(c, "notebook_entries").type);
        assertEquals(1, c.skippedFields(), "columns is no number");
        assertTrue(c.sampleErrors().isEmpty());
    }

    @Test
    void nestedObjectsAreJoinedWithUnderscores() throws Exception {
        Conversion c = convert("{\"timing\": {\"read\": 1.5, \"proc\": {\"cpu\": 2}}, \"name\": \"x\", \"ok\": true}");
        assertEquals(1.5, family(c, "notebook_timing_read").samples.get(0).value);
        assertEquals(2, family(c, "notebook_timing_proc_cpu").samples.get(0).value);
        assertEquals(1, family(c, "notebook_ok").samples.get(0).value);
        assertEquals(1, c.skippedFields());
    }

    @Test
    void listFormOfTheOriginalCollector() throws Exception {
        Conversion c = convert("{\"coffea_notebook_metric\":[{\"metric\":{\"dataset\":\"x\"},\"value\":267},"
                + "{\"metric\":{\"dataset\":\"y\",\"year\":2018,\"mc\":true},\"value\":[1700000000.1,\"12.5\"]}]}");
        MetricFamilySamples f = family(c, "notebook_coffea_notebook_metric");
        assertEquals(2, f.samples.size());
        assertEquals(List.of("dataset"), f.samples.get(0).labelNames);
        assertEquals(267, f.samples.get(0).value);
        assertEquals(List.of("dataset", "mc", "year"), f.samples.get(1).labelNames);
        assertEquals(List.of("y", "true", "2018"), f.samples.get(1).labelValues, "numbers and booleans as JSON text");
        assertEquals(12.5, f.samples.get(1).value);
    }

    @Test
    void prometheusVectorLabelsDropTheirName() throws Exception {
        Conversion c = convert("{\"up\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"a\"},\"value\":[1,\"1\"]}]}");
        assertEquals(List.of("job"), family(c, "notebook_up").samples.get(0).labelNames);
    }

    @Test
    void namesAndLabelNamesAreSanitised() throws Exception {
        Conversion c = convert("{\"metrics\":[{\"name\":\"évents-per.sec\",\"labels\":{\"data set\":\"a\","
                + "\"2nd\":\"b\"},\"value\":1}]}");
        MetricFamilySamples f = c.families().get(0);
        assertEquals("notebook__vents_per_sec", f.name);
        assertEquals(List.of("_2nd", "data_set"), f.samples.get(0).labelNames);
        assertEquals("_1x", MetricNames.metricName("1x"));
        assertEquals("a:b", MetricNames.metricName("a:b"));
        assertEquals("a_b", MetricNames.labelName("a:b"));
    }

    @Test
    void identityLabelClashIsAnErrorForThatSampleOnly() throws Exception {
        Conversion c = convert("{\"metrics\":[{\"name\":\"a\",\"labels\":{\"user\":\"mallory\"},\"value\":1},"
                + "{\"name\":\"b\",\"value\":2}]}");
        assertNull(family(c, "notebook_a"));
        assertEquals(2, family(c, "notebook_b").samples.get(0).value);
        assertEquals(Map.of("label_clash", 1), c.sampleErrors());
        assertTrue(c.messages().get(0).contains("'user'"), c.messages().toString());
    }

    @Test
    void badSamplesAreRejectedOneByOne() throws Exception {
        Conversion c = convert("{\"metrics\":[{\"name\":\"a\",\"value\":\"many\"},{\"name\":\"b\",\"type\":\"histogram\","
                + "\"value\":1},{\"name\":\"c\",\"type\":\"counter\",\"value\":-1},{\"name\":\"d\",\"value\":1},"
                + "{\"name\":\"d\",\"value\":2},{\"name\":\"d\",\"type\":\"counter\",\"value\":2},"
                + "{\"name\":\"e\",\"labels\":[1],\"value\":1},{\"name\":\"\",\"value\":1},"
                + "{\"name\":\"f\",\"labels\":{\"__x\":\"y\"},\"value\":1}]}");
        assertEquals(1, c.series());
        assertEquals(1, family(c, "notebook_d").samples.get(0).value, "first of a duplicate kept");
        assertEquals(Map.of("invalid_value", 2, "unsupported_type", 1, "duplicate_series", 1, "type_conflict", 1,
                "invalid_labels", 1, "invalid_name", 1, "invalid_label", 1), c.sampleErrors());
    }

    @Test
    void nonFiniteAndHugeNumbers() throws Exception {
        Conversion c = convert("{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": 1e400, \"e\": "
                + "123456789012345678901234567890}");
        assertTrue(Double.isNaN(family(c, "notebook_a").samples.get(0).value));
        assertEquals(Double.POSITIVE_INFINITY, family(c, "notebook_b").samples.get(0).value);
        assertEquals(Double.NEGATIVE_INFINITY, family(c, "notebook_c").samples.get(0).value);
        assertEquals(Double.POSITIVE_INFINITY, family(c, "notebook_d").samples.get(0).value);
        assertEquals(1.2345678901234568E29, family(c, "notebook_e").samples.get(0).value);
    }

    @Test
    void wholeDocumentErrors() {
        assertEquals("empty", assertThrows(NotebookJsonException.class, () -> convert("  \n")).reason());
        assertEquals("truncated", assertThrows(NotebookJsonException.class, () -> convert("{\"a\": 1, \"b\"")).reason());
        assertEquals("malformed", assertThrows(NotebookJsonException.class, () -> convert("{a: 1}")).reason());
        assertEquals("malformed", assertThrows(NotebookJsonException.class, () -> convert("{\"a\":1,\"a\":2}")).reason());
        assertEquals("unsupported", assertThrows(NotebookJsonException.class, () -> convert("[1, 2]")).reason());
        assertEquals("unsupported", assertThrows(NotebookJsonException.class, () -> convert("42")).reason());
        assertEquals("too_deep", assertThrows(NotebookJsonException.class,
                () -> convert("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000))).reason());
        NotebookJsonException tooMany = assertThrows(NotebookJsonException.class,
                () -> convert("{\"a\":1,\"b\":2,\"c\":3}", 2));
        assertEquals("too_many_series", tooMany.reason());
        assertTrue(tooMany.getMessage().contains("json-max-series"));
    }

    @Test
    void labelValuesKeepQuotesBackslashesAndNewlines() throws Exception {
        Conversion c = convert("{\"m\":[{\"metric\":{\"path\":\"C:\\\\data\\n\\\"x\\\"\"},\"value\":1}]}");
        assertEquals("C:\\data\n\"x\"", family(c, "notebook_m").samples.get(0).labelValues.get(0));
    }
}
