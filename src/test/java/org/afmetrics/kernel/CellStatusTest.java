package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The status labels are what dashboards and alert rules select: they must not change. */
class CellStatusTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"OK, ok", "ERROR, error", "INTERRUPTED, interrupted"})
    void labels(CellStatus status, String label) {
        assertEquals(label, status.label);
    }
}
