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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertEquals("empty", assertThrows(NotebookJsonException.class, () -> convert("  \n")).reason().label());
        assertEquals("truncated", assertThrows(NotebookJsonException.class, () -> convert("{\"a\": 1, \"b\"")).reason().label());
        assertEquals("malformed", assertThrows(NotebookJsonException.class, () -> convert("{a: 1}")).reason().label());
        assertEquals("malformed", assertThrows(NotebookJsonException.class, () -> convert("{\"a\":1,\"a\":2}")).reason().label());
        assertEquals("unsupported", assertThrows(NotebookJsonException.class, () -> convert("[1, 2]")).reason().label());
        assertEquals("unsupported", assertThrows(NotebookJsonException.class, () -> convert("42")).reason().label());
        assertEquals("too_deep", assertThrows(NotebookJsonException.class,
                () -> convert("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000))).reason().label());
        NotebookJsonException tooMany = assertThrows(NotebookJsonException.class,
                () -> convert("{\"a\":1,\"b\":2,\"c\":3}", 2));
        assertEquals("too_many_series", tooMany.reason().label());
        assertTrue(tooMany.getMessage().contains("json-max-series"));
    }

    @Test
    void labelValuesKeepQuotesBackslashesAndNewlines() throws Exception {
        Conversion c = convert("{\"m\":[{\"metric\":{\"path\":\"C:\\\\data\\n\\\"x\\\"\"},\"value\":1}]}");
        assertEquals("C:\\data\n\"x\"", family(c, "notebook_m").samples.get(0).labelValues.get(0));
    }

    static String plainFields(int n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":").append(i % 10);
        }
        return sb.append('}').toString();
    }

    static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    static String reason(String json) {
        return assertThrows(NotebookJsonException.class, () -> convert(json)).reason().label();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "series: exactly json-max-series,     series-at,    ",
        "series: one over json-max-series,    series-over,  too_many_series",
        "nesting: exactly the most,           depth-at,     ",
        "nesting: one level deeper,           depth-over,   too_deep",
        "key: longest,                        key-at,       ",
        "key: one character longer,           key-over,     too_long",
        "label value: longest,                string-at,    ",
        "label value: one character longer,   string-over,  too_long",
        "label value as JSON: too long,       json-label-over, too_long",
        "labels: the most a series may carry, labels-at,    ",
        "labels: one more,                    labels-over,  too_many_labels",
        "metric name joined from a long path, path-over,    too_long",
        "a long string that is skipped,       skipped-long, ",
        "every field skipped,                 all-skipped,  nothing_usable",
        "every typed metric rejected,         all-rejected, nothing_usable",
        "typed key holding an object,         typed-object, nothing_usable",
        "typed key holding a number,          typed-number, nothing_usable",
        "typed list holding a number,         typed-list-of-numbers, nothing_usable",
    })
    void documentsAtEveryLimit(String row, String doc, String reason) throws Exception {
        String json = limitDocument(doc);
        if (reason == null) {
            Conversion c = convert(json, 1000);
            assertTrue(c.series() > 0, row + ": something usable");
        } else {
            assertEquals(reason, assertThrows(NotebookJsonException.class, () -> convert(json, 1000)).reason().label(), row);
        }
    }

    static String limitDocument(String doc) {
        switch (doc) {
            case "series-at":
                return plainFields(1000);
            case "series-over":
                return plainFields(1001);
            case "depth-at":
                return nested(JsonReader.MAX_NESTING);
            case "depth-over":
                return nested(JsonReader.MAX_NESTING + 1);
            case "key-at":
                return "{\"m\":[{\"metric\":{\"" + "k".repeat(JsonReader.MAX_NAME_CHARS) + "\":\"v\"},\"value\":1}]}";
            case "key-over":
                return "{\"m\":[{\"metric\":{\"" + "k".repeat(JsonReader.MAX_NAME_CHARS + 1)
                        + "\":\"v\"},\"value\":1}]}";
            case "string-at":
                return "{\"m\":[{\"metric\":{\"k\":\"" + "v".repeat(JsonReader.MAX_STRING_CHARS) + "\"},\"value\":1}]}";
            case "string-over":
                return "{\"m\":[{\"metric\":{\"k\":\"" + "v".repeat(JsonReader.MAX_STRING_CHARS + 1)
                        + "\"},\"value\":1}]}";
            case "json-label-over":
                return "{\"m\":[{\"metric\":{\"k\":[" + "1,".repeat(JsonReader.MAX_STRING_CHARS / 2) + "1]},\"value\":1}]}";
            case "labels-at":
                return "{\"metrics\":[{\"name\":\"x\",\"labels\":{" + labels(NotebookJson.MAX_LABELS) + "},\"value\":1}]}";
            case "labels-over":
                return "{\"metrics\":[{\"name\":\"x\",\"labels\":{" + labels(NotebookJson.MAX_LABELS + 1)
                        + "},\"value\":1}]}";
            case "path-over":
                return nested(3).replace("\"a\"", "\"" + "a".repeat(400) + "\"");
            case "skipped-long":
                return "{\"note\":\"" + "x".repeat(1_000_000) + "\",\"n\":1}";
            case "all-skipped":
                return "{\"columns\":[\"Jet_eta\",\"nJet\"],\"dataset\":\"x\",\"empty\":[]}";
            case "all-rejected":
                return "{\"metrics\":[{\"name\":\"a\",\"labels\":{\"user\":\"m\"},\"value\":1},{\"name\":\"b\",\"value\":\"x\"}]}";
            case "typed-object":
                return "{\"n\":1,\"metrics\":{\"a\":1}}";
            case "typed-number":
                return "{\"metrics\":5}";
            case "typed-list-of-numbers":
                return "{\"metrics\":[{\"name\":\"a\",\"value\":1},2]}";
            default:
                throw new IllegalArgumentException(doc);
        }
    }

    private static String labels(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
        }
        return sb.toString();
    }

    @Test
    void emptyDocumentsAreTakenAsNothingToReport() throws Exception {
        assertEquals(0, convert("{}").series());
        assertEquals(0, convert("{\"metrics\":[]}").series());
    }

    @Test
    void typedFormIgnoresTheOtherTopLevelKeysWhereverTheyAre() throws Exception {
        Conversion c = convert("{\"version\":2,\"metrics\":[{\"name\":\"a\",\"value\":1}],\"run\":{\"x\":3}}");
        assertEquals(1, c.series());
        assertEquals(0, c.skippedFields());
        assertNull(family(c, "notebook_version"));
        assertEquals(1, family(c, "notebook_a").samples.get(0).value);
    }

    @Test
    void aListFamilyWithAnItemWithoutValueIsOneSkippedField() throws Exception {
        Conversion c = convert("{\"n\":1,\"l\":[{\"metric\":{},\"value\":1},{\"metric\":{}},{\"value\":3}],"
                + "\"nums\":[1,2,3]}");
        assertEquals(1, c.series());
        assertEquals(2, c.skippedFields());
    }

    @Test
    void unitsAreSuffixedOnceAndKeptForOpenMetrics() throws Exception {
        Conversion c = convert("{\"metrics\":["
                + "{\"name\":\"processtime\",\"unit\":\"seconds\",\"value\":1071.2},"
                + "{\"name\":\"bytesread_bytes\",\"unit\":\"bytes\",\"value\":2727541868},"
                + "{\"name\":\"cpu_total\",\"type\":\"counter\",\"unit\":\"seconds\",\"value\":5},"
                + "{\"name\":\"odd\",\"unit\":\"°C\",\"value\":5},"
                + "{\"name\":\"odd2\",\"unit\":7,\"value\":5}]}");
        MetricFamilySamples time = family(c, "notebook_processtime_seconds");
        assertEquals("seconds", time.unit);
        assertEquals("notebook_processtime_seconds", time.samples.get(0).name);
        assertEquals("bytes", family(c, "notebook_bytesread_bytes").unit);
        MetricFamilySamples cpu = family(c, "notebook_cpu_seconds");
        assertEquals(Collector.Type.COUNTER, cpu.type);
        assertEquals("notebook_cpu_seconds_total", cpu.samples.get(0).name);
        assertEquals(Map.of("invalid_unit", 2), c.sampleErrors());
        java.io.StringWriter om = new java.io.StringWriter();
        io.prometheus.client.exporter.common.TextFormat.writeOpenMetrics100(om,
                java.util.Collections.enumeration(c.families()));
        assertTrue(om.toString().contains("# UNIT notebook_processtime_seconds seconds\n"), om.toString());
        assertTrue(om.toString().contains("# UNIT notebook_cpu_seconds seconds\n"), om.toString());
    }

    @Test
    void plainFormKeepsCoffeaNamesAsWritten() throws Exception {
        Conversion c = convert("{\"bytesread\": 2727541868, \"processtime\": 1071.2}");
        assertEquals("", family(c, "notebook_processtime").unit);
        assertEquals("", family(c, "notebook_bytesread").unit);
    }

    @Test
    void aPushWaitsForTheDocumentBeforeItThenIsToldToComeBack() throws Exception {
        ParseGate gate = new ParseGate();
        PushedMetrics pushed = new PushedMetrics("notebook_", RESERVED, 100, gate);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch leave = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                gate.convert(10_000, () -> {
                    inside.countDown();
                    try {
                        leave.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Conversion.empty();
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        holder.start();
        inside.await();
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        NotebookJsonException busy = assertThrows(NotebookJsonException.class, () -> pushed.accept(body, body.length));
        assertEquals(Reason.BUSY, busy.reason());
        assertEquals(Map.of("busy", 1L), pushed.health().errors());
        leave.countDown();
        holder.join();
        assertEquals(1, pushed.accept(body, body.length).series(), "taken once the gate is free");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "number twice                 | {\"a\":1,\"a\":2}                                          | malformed",
        "nested objects twice         | {\"x\":{\"a\":1},\"x\":{\"b\":2}}                            | malformed",
        "typed key twice              | {\"metrics\":[],\"metrics\":[]}                            | malformed",
        "name twice in an entry       | {\"metrics\":[{\"name\":\"a\",\"name\":\"b\",\"value\":1}]}    | malformed",
        "label twice                  | {\"m\":[{\"metric\":{\"k\":\"1\",\"k\":\"2\"},\"value\":1}]}   | malformed",
        "skipped field twice          | {\"s\":\"x\",\"s\":\"y\",\"n\":1}                              | ",
        "unknown entry key twice      | {\"metrics\":[{\"name\":\"a\",\"x\":1,\"x\":2,\"value\":1}]} | ",
    })
    void keysGivenTwice(String row, String json, String reason) throws Exception {
        if (reason == null) {
            assertEquals(1, convert(json).series(), row + ": a duplicate that gives nothing is harmless");
        } else {
            assertEquals(reason, assertThrows(NotebookJsonException.class, () -> convert(json)).reason().label(), row);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "garbage after the object      | {\"a\":1} garbage {{{     | malformed",
        "a second document             | {\"a\":1}{\"a\":2}          | malformed",
        "a second document on a line   | '{\"a\":1}\n{\"a\":2}'      | malformed",
        "a number after a list         | [{\"name\":\"a\",\"value\":1}] 7 | malformed",
        "whitespace after the object   | '{\"a\":1} \n\t\r\n '       | ",
    })
    void anythingButWhitespaceAfterTheDocumentIsMalformed(String row, String json, String reason) throws Exception {
        if (reason == null) {
            assertEquals(1, convert(json).series(), row);
            return;
        }
        NotebookJsonException e = assertThrows(NotebookJsonException.class, () -> convert(json), row);
        assertEquals(reason, e.reason().label(), row);
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(reason, assertThrows(NotebookJsonException.class, () -> NotebookJson.convert(
                new java.io.ByteArrayInputStream(b), b.length, "notebook_", RESERVED, 100, "f")).reason().label(),
                row + ", read from a stream as a file is");
    }

    @Test
    void aControlByteAfterTheDocumentIsMalformed() {
        assertEquals("malformed", reason("{\"a\":1}\u0000"));
        assertEquals("malformed", reason("{\"a\":1}\n\u0001"));
    }

    /** A secret that must never show in an error text: a GitHub token's shape. */
    static final String SECRET = "ghp_SeCrEt0123456789abcdefTOKEN";

    /**
     * Documents holding a secret where an error text could quote it: as the whole document, a
     * key, a name, a label name or value, a unit, a type, a value. Whatever is refused and why,
     * neither the whole document's nor any sample's text holds a byte of the secret.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a token file                 | SECRET                                                          | malformed",
        "a token file with a newline  | SECRET<NL>                                                      | malformed",
        "a quoted token               | \"SECRET\"                                                      | unsupported",
        "a token after a document     | {\"a\":1} SECRET                                                | malformed",
        "half a token in a key        | {\"SECRET                                                        | truncated",
        "a token as a bare value      | {\"a\": SECRET}                                                 | malformed",
        "a token key given twice      | {\"SECRET\":1,\"SECRET\":2}                                     | malformed",
        "a token label given twice    | {\"m\":[{\"metric\":{\"SECRET\":\"1\",\"SECRET\":\"2\"},\"value\":1}]} | malformed",
        "a token as the only value    | {\"metrics\":[{\"name\":\"a\",\"value\":\"SECRET\"}]}           | nothing_usable",
        "a token as a typed name      | {\"metrics\":[{\"name\":\"SECRET\",\"value\":\"x\"}]}           | nothing_usable",
        "a token as a type            | {\"metrics\":[{\"name\":\"a\",\"type\":\"SECRET\",\"value\":1}]} | nothing_usable",
        "a token as a unit            | {\"metrics\":[{\"name\":\"a\",\"unit\":\"SECRET!\",\"value\":1}]} | nothing_usable",
        "a token in a label name      | {\"metrics\":[{\"name\":\"a\",\"labels\":{\"__SECRET\":\"v\"},\"value\":1}]} | nothing_usable",
        "a token as labels            | {\"metrics\":[{\"name\":\"a\",\"labels\":\"SECRET\",\"value\":1}]} | nothing_usable",
        "a token as a long name       | {\"SECRET\":{\"LONG\":1}}                                      | too_long",
        "a token in a series twice    | {\"metrics\":[{\"name\":\"a\",\"labels\":{\"k\":\"SECRET\"},\"value\":1},{\"name\":\"a\",\"labels\":{\"k\":\"SECRET\"},\"value\":2},{\"name\":\"SECRET\",\"type\":\"counter\",\"value\":-1}]} | ",
    })
    void noErrorTextHoldsAByteOfTheDocument(String row, String template, String reason) throws Exception {
        String json = template.replace("SECRET", SECRET).replace("LONG", "x".repeat(JsonReader.MAX_NAME_CHARS))
                .replace("<NL>", "\n");
        List<String> texts = new java.util.ArrayList<>();
        if (reason == null) {
            Conversion c = convert(json);
            assertTrue(!c.messages().isEmpty(), row + ": something was refused");
            texts.addAll(c.messages());
        } else {
            NotebookJsonException e = assertThrows(NotebookJsonException.class, () -> convert(json), row);
            assertEquals(reason, e.reason().label(), row + ": " + e.getMessage());
            texts.add(e.getMessage());
        }
        for (String text : texts) {
            for (int i = 0; i + 4 <= SECRET.length(); i++) {
                assertTrue(!text.contains(SECRET.substring(i, i + 4)), row + ": no part of the secret in: " + text);
            }
            if (reason == null || reason.equals("malformed") || reason.equals("truncated")) {
                assertTrue(text.matches("(?s).*at line \\d+, column \\d+.*"), row + ": says where: " + text);
            }
        }
    }

    @Test
    void aCounterThatWentDownIsToldByItsPlaceNotItsLabels() throws Exception {
        Conversion before = convert("{\"metrics\":[{\"name\":\"n\",\"type\":\"counter\",\"labels\":{\"k\":\"" + SECRET
                + "\"},\"value\":5}]}");
        Conversion after = CounterGuard.apply(before, convert("{\"metrics\":[{\"name\":\"n\",\"type\":\"counter\","
                + "\"labels\":{\"k\":\"" + SECRET + "\"},\"value\":3}]}"));
        assertEquals(Map.of("counter_decreased", 1), after.sampleErrors());
        assertTrue(!after.messages().get(0).contains("ghp_"), after.messages().toString());
        assertTrue(after.messages().get(0).contains("series 1"), after.messages().toString());
    }
}
