package org.afmetrics.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The test ports: outside the machine's ephemeral range, and free when handed out. */
class FreePortTest {
    /** Rows: the ephemeral range, the ranges chosen from ("-" for none: refused). */
    @ParameterizedTest(name = "ephemeral {0}-{1}")
    @CsvSource(delimiter = '|', value = {
        "32768 | 60999 | 10000-32767 61000-65535",
        "49152 | 65535 | 10000-49151",
        "1024  | 60999 | 61000-65535",
        "10500 | 64999 | -",
        "1024  | 65535 | -",
    })
    void theRangesLieOutsideTheEphemeralOne(int low, int high, String expected) {
        if (expected.equals("-")) {
            assertThrows(IllegalStateException.class, () -> FreePort.ranges(new int[] {low, high}));
            return;
        }
        List<String> ranges = new ArrayList<>();
        for (int[] r : FreePort.ranges(new int[] {low, high})) {
            ranges.add(r[0] + "-" + r[1]);
        }
        assertEquals(List.of(expected.split(" ")), ranges);
    }

    @Test
    void theMachinesEphemeralRangeIsRead() {
        int[] r = FreePort.ephemeralRange(FreePort.EPHEMERAL);
        assertTrue(r[0] > 0 && r[0] <= r[1] && r[1] <= 65535, r[0] + "-" + r[1]);
        int[] missing = FreePort.ephemeralRange(java.nio.file.Paths.get("/nonexistent/ip_local_port_range"));
        assertEquals(List.of(32768, 60999), List.of(missing[0], missing[1]), "Linux's default where it cannot be read");
    }

    @RepeatedTest(5)
    void aRunIsOutsideTheEphemeralRangeAndFree() throws Exception {
        int[] ephemeral = FreePort.ephemeralRange(FreePort.EPHEMERAL);
        int first = FreePort.findRun(10);
        for (int p = first; p < first + 10; p++) {
            assertTrue(p < ephemeral[0] || p > ephemeral[1], p + " is in the ephemeral range");
            assertTrue(p >= FreePort.FLOOR && p <= FreePort.CEILING, Integer.toString(p));
            assertTrue(FreePort.bindable(p), p + " is free");
        }
    }

    @Test
    void aPortSomethingHoldsIsNotBindable() throws Exception {
        try (ServerSocket held = new ServerSocket(FreePort.find(), 1, InetAddress.getLoopbackAddress())) {
            assertTrue(!FreePort.bindable(held.getLocalPort()), "held: " + held.getLocalPort());
        }
    }
}
