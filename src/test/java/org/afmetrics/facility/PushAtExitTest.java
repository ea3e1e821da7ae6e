package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.identity.Identity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PushAtExitTest {
    @ParameterizedTest
    @CsvSource({
        "alice, 3f2a-77b0, child,  4711",
        "alice, 3f2a-77b0, kernel, 4700",
        "bob,   9001,      other,  9001",
    })
    void theGroupingKeyHoldsUserSessionAndThePid(String user, String session, String role, long pid) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("user", user);
        labels.put("session", session);
        labels.put("jvm", role);
        Map<String, String> key = PushAtExit.groupingKey(new Identity(labels), pid);
        assertEquals(List.of("user", "session", "pid"), List.copyOf(key.keySet()));
        assertEquals(List.of(user, session, Long.toString(pid)), List.copyOf(key.values()));
    }

    @ParameterizedTest
    @CsvSource({"4711, 4712", "1, 2"})
    void twoJvmsOfOneSessionHaveTwoGroups(long first, long second) {
        Identity id = new Identity(Map.of("user", "alice", "session", "k1"));
        assertNotEquals(PushAtExit.groupingKey(id, first), PushAtExit.groupingKey(id, second));
    }
}
