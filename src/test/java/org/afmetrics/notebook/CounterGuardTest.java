package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CounterGuardTest {
    private static Conversion doc(String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return NotebookJson.convert(b, b.length, "nb_", Set.of("user", "session"), 1000, "test");
    }

    private static String counter(String labels, double v) {
        return "{\"name\":\"done_total\",\"type\":\"counter\",\"labels\":{" + labels + "},\"value\":" + v + "}";
    }

    private static double value(Conversion c, String labelValue) {
        return c.families().stream().flatMap(f -> f.samples.stream())
                .filter(s -> s.labelValues.contains(labelValue)).findFirst().orElseThrow().value;
    }

    @Test
    void aCounterThatGoesDownKeepsItsValueAndIsCountedWhileOthersMoveOn() throws Exception {
        SourceHealth h = new SourceHealth("t");
        h.success(doc("[" + counter("\"k\":\"a\"", 10) + "," + counter("\"k\":\"b\"", 5) + "]"));
        h.success(doc("[" + counter("\"k\":\"a\"", 7) + "," + counter("\"k\":\"b\"", 6) + "]"));
        assertEquals(10, value(h.lastGood(), "a"));
        assertEquals(6, value(h.lastGood(), "b"));
        assertEquals(1L, h.errors().get(Reason.COUNTER_DECREASED.label()));
        h.success(doc("[" + counter("\"k\":\"a\"", 9) + "," + counter("\"k\":\"b\"", 6) + "]"));
        assertEquals(10, value(h.lastGood(), "a"), "compared with what was exported, not what was written");
        h.success(doc("[" + counter("\"k\":\"a\"", 0) + "," + counter("\"k\":\"b\"", 0) + "]"));
        assertEquals(0, value(h.lastGood(), "a"), "back to zero is a reset");
        assertEquals(0, value(h.lastGood(), "b"));
        assertEquals(2L, h.errors().get(Reason.COUNTER_DECREASED.label()));
    }

    /** Two counters whose label values, joined as text, read the same: neither is the other's past. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a list separator       | \"a\":\"p, q\",\"b\":\"r\"       | \"a\":\"p\",\"b\":\"q, r\"",
        "'=' and '}'            | \"a\":\"x=}\",\"b\":\"y\"        | \"a\":\"x\",\"b\":\"=}y\"",
        "NUL                    | \"a\":\"p\\u0000\",\"b\":\"q\" | \"a\":\"p\",\"b\":\"\\u0000q\"",
    })
    void countersWhoseLabelsReadAlikeAreNotConfused(String row, String before, String after) throws Exception {
        SourceHealth h = new SourceHealth("t");
        h.success(doc("[" + counter(before, 10) + "]"));
        h.success(doc("[" + counter(after, 3) + "]"));
        assertEquals(3, h.lastGood().families().get(0).samples.get(0).value, row + ": another series, not a decrease");
        assertEquals(null, h.errors().get(Reason.COUNTER_DECREASED.label()), row);
    }

    @Test
    void gaugesMayGoDown() throws Exception {
        SourceHealth h = new SourceHealth("t");
        h.success(doc("{\"load\": 10}"));
        h.success(doc("{\"load\": 3}"));
        assertEquals(3, h.lastGood().families().get(0).samples.get(0).value);
        assertEquals(null, h.errors().get(Reason.COUNTER_DECREASED.label()));
    }
}
