package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CellHooksModeTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "false, OFF,   false",
        "true,  ON,    true",
        "force, FORCE, true",
    })
    void theConfiguredTextNamesOneMode(String text, CellHooksMode mode, boolean hooks) {
        assertEquals(mode, CellHooksMode.of(text));
        assertEquals(text, mode.text);
        assertEquals(hooks, mode.hooks());
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"yes", "FORCE", "''", "off"})
    void anyOtherTextIsNoMode(String text) {
        assertThrows(IllegalArgumentException.class, () -> CellHooksMode.of(text));
    }
}
