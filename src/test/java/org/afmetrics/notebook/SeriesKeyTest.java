package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SeriesKeyTest {
    private static Sample sample(String name, List<String> names, List<String> values) {
        return new Sample(name, names, values, 1);
    }

    /**
     * Pairs of series, the same or not. The label values hold what a key made by joining text
     * would confuse: ", " (a list's separator), '=', '}', '[' and ']', and NUL.
     */
    static Stream<Arguments> pairs() {
        List<String> ab = List.of("a", "b");
        return Stream.of(
            Arguments.of("a list separator moved from one value to the next", "m", ab, List.of("p, q", "r"),
                    "m", ab, List.of("p", "q, r"), false),
            Arguments.of("the same values with a list separator", "m", ab, List.of("p, q", "r"),
                    "m", ab, List.of("p, q", "r"), true),
            Arguments.of("'=' in a value", "m", ab, List.of("x=y", ""), "m", ab, List.of("x", "=y"), false),
            Arguments.of("'}' in a value", "m", ab, List.of("v}", "w"), "m", ab, List.of("v", "}w"), false),
            Arguments.of("brackets in a value", "m", List.of("a"), List.of("x][y"), "m", List.of("a"),
                    List.of("x][y"), true),
            Arguments.of("NUL moved across two values", "m", ab, List.of("p\0", "q"), "m", ab,
                    List.of("p", "\0q"), false),
            Arguments.of("the same NUL", "m", ab, List.of("p\0q", "r"), "m", ab, List.of("p\0q", "r"), true),
            Arguments.of("labels in another order", "m", ab, List.of("1", "2"), "m", List.of("b", "a"),
                    List.of("2", "1"), false),
            Arguments.of("a counter's sample and its family's name", "m_total", List.of(), List.of(),
                    "m", List.of(), List.of(), false),
            Arguments.of("the labels' text in the name", "m[a][x]", List.of(), List.of(), "m", List.of("a"),
                    List.of("x"), false),
            Arguments.of("equal lists of other kinds", "m", Arrays.asList("a", "b"), Arrays.asList("1", "2"),
                    "m", ab, List.of("1", "2"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void aSeriesIsItsNameAndItsLabelsElementByElement(String row, String name1, List<String> names1,
            List<String> values1, String name2, List<String> names2, List<String> values2, boolean same) {
        SeriesKey one = SeriesKey.of(sample(name1, names1, values1));
        SeriesKey two = SeriesKey.of(sample(name2, names2, values2));
        Set<SeriesKey> set = new HashSet<>(List.of(one));
        if (same) {
            assertEquals(one, two, row);
            assertEquals(one.hashCode(), two.hashCode(), row);
        } else {
            assertNotEquals(one, two, row);
        }
        assertEquals(same, set.contains(two), row + ": as a set finds it");
    }
}
