package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.afmetrics.config.ConfigKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key table at the foot of --help, and the counts the commands print. */
class HelpLayoutTest {
    @Test
    void theKeyTableKeepsItsColumnsForTheLongestKeyAndWraps() {
        String table = KeyTable.render(Main.WIDTH);
        int envColumn = -1;
        for (ConfigKey k : ConfigKey.values()) {
            String head = table.lines().filter(l -> l.startsWith("  " + k.key() + " ")).findFirst().orElseThrow();
            int at = head.indexOf(k.envName());
            assertTrue(at > ("  " + k.key()).length(), head);
            if (envColumn < 0) {
                envColumn = at;
            }
            assertEquals(envColumn, at, "every environment name in one column: " + head);
        }
        table.lines().forEach(l -> assertTrue(l.length() <= Main.WIDTH, "'" + l + "'"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a b c                  | 5  | a b c",
        "one two three four     | 9  | one two,three,four",
        "averyveryverylongword x| 8  | averyveryverylongword,x",
        "spaced   out           | 20 | spaced out",
    })
    void wrapBreaksAtSpaces(String text, int width, String lines) {
        assertEquals(List.of(lines.split(",")), KeyTable.wrap(text, width));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0 | 0 files", "1 | 1 file", "2 | 2 files", "21 | 21 files"})
    void countsTakeTheRightNumber(long n, String text) {
        assertEquals(text, Plural.of(n, "file", "files"));
    }
}
