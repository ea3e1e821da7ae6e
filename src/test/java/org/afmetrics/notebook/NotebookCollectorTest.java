package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.client.Collector.MetricFamilySamples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class NotebookCollectorTest {
    @TempDir
    Path dir;

    private static MetricFamilySamples family(List<MetricFamilySamples> fs, String name) {
        List<MetricFamilySamples> found = fs.stream().filter(f -> f.name.equals(name)).collect(
                java.util.stream.Collectors.toList());
        assertEquals(1, found.size(), "one family " + name);
        return found.get(0);
    }

    @Test
    void globsFindFilesAndSharedFamiliesAreMergedOnce() throws Exception {
        Files.createDirectories(dir.resolve("out/run1"));
        Files.writeString(dir.resolve("out/a.json"), "{\"events\":[{\"metric\":{\"ds\":\"a\"},\"value\":1}]}");
        Files.writeString(dir.resolve("out/b.json"), "{\"events\":[{\"metric\":{\"ds\":\"b\"},\"value\":2},"
                + "{\"metric\":{\"ds\":\"a\"},\"value\":9}]}");
        Files.writeString(dir.resolve("out/run1/c.json"), "{\"c\": 3}");
        PushedMetrics pushed = new PushedMetrics("notebook_", NotebookJsonTest.RESERVED, 100);
        NotebookCollector c = new NotebookCollector(List.of("out/*.json", "out/**/c.json"), dir, "notebook_",
                NotebookJsonTest.RESERVED, 10_000, 100, pushed);
        List<MetricFamilySamples> fs = c.collect();
        MetricFamilySamples events = family(fs, "notebook_events");
        assertEquals(2, events.samples.size(), "a's series from b.json is a duplicate");
        assertEquals(1, events.samples.get(0).value);
        assertEquals(2, events.samples.get(1).value);
        assertEquals(3, family(fs, "notebook_c").samples.get(0).value);
        MetricFamilySamples errors = family(fs, "afmetrics_json_errors");
        assertEquals(1, errors.samples.size());
        assertEquals(List.of(dir.resolve("out/b.json").toString(), "duplicate_series"), errors.samples.get(0).labelValues);
        c.collect();
        assertEquals(1, family(c.collect(), "afmetrics_json_errors").samples.get(0).value, "counted once");
    }

    /**
     * A file's series and a pushed one whose label values, joined as text, read the same are two
     * series: both exported, neither counted as a duplicate.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a list separator | \"a\":\"p, q\",\"b\":\"r\"       | \"a\":\"p\",\"b\":\"q, r\"",
        "'=' and '}'      | \"a\":\"x=}\",\"b\":\"y\"        | \"a\":\"x\",\"b\":\"=}y\"",
        "NUL              | \"a\":\"p\\u0000\",\"b\":\"q\" | \"a\":\"p\",\"b\":\"\\u0000q\"",
    })
    void aFileSeriesAndAPushedOneThatReadAlikeAreBothExported(String row, String fileLabels, String pushLabels)
            throws Exception {
        Files.writeString(dir.resolve("a.json"), "{\"m\":[{\"metric\":{" + fileLabels + "},\"value\":1}]}");
        PushedMetrics pushed = new PushedMetrics("notebook_", NotebookJsonTest.RESERVED, 100);
        byte[] body = ("{\"m\":[{\"metric\":{" + pushLabels + "},\"value\":2}]}").getBytes(StandardCharsets.UTF_8);
        pushed.accept(body, body.length);
        NotebookCollector c = new NotebookCollector(List.of("a.json"), dir, "notebook_", NotebookJsonTest.RESERVED,
                10_000, 100, pushed);
        List<MetricFamilySamples> fs = c.collect();
        MetricFamilySamples m = family(fs, "notebook_m");
        assertEquals(2, m.samples.size(), row + ": " + m.samples);
        assertEquals(1, m.samples.get(0).value, row);
        assertEquals(2, m.samples.get(1).value, row);
        assertEquals(0, fs.stream().filter(f -> f.name.equals("afmetrics_json_errors")).count(),
                row + ": no duplicate_series");
    }

    @Test
    void pushReplacesThePreviousSetAndABadPushKeepsIt() throws Exception {
        PushedMetrics pushed = new PushedMetrics("notebook_", NotebookJsonTest.RESERVED, 100);
        NotebookCollector c = new NotebookCollector(List.of(), dir, "notebook_", NotebookJsonTest.RESERVED,
                10_000, 100, pushed);
        byte[] first = "{\"a\": 1, \"b\": 2}".getBytes(StandardCharsets.UTF_8);
        pushed.accept(first, first.length);
        byte[] second = "{\"a\": 5}".getBytes(StandardCharsets.UTF_8);
        pushed.accept(second, second.length);
        List<MetricFamilySamples> fs = c.collect();
        assertEquals(5, family(fs, "notebook_a").samples.get(0).value);
        assertEquals(0, fs.stream().filter(f -> f.name.equals("notebook_b")).count(), "replaced as a whole");
        byte[] bad = "{\"a\": ".getBytes(StandardCharsets.UTF_8);
        assertThrows(NotebookJsonException.class, () -> pushed.accept(bad, bad.length));
        assertEquals(5, family(c.collect(), "notebook_a").samples.get(0).value);
        pushed.clear();
        assertEquals(0, c.collect().stream().filter(f -> f.name.equals("notebook_a")).count());
    }
}
