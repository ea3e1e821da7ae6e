package org.afmetrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.afmetrics.config.ConfigKey;
import org.junit.jupiter.api.Test;

class AgentRuntimeTest {
    @Test
    void thePremainKeysAreKeysOfTheSettings() {
        for (String key : AgentRuntime.PREMAIN_KEYS) {
            assertNotNull(ConfigKey.byKey(key), key);
        }
    }

    @Test
    void argumentsNamingAPremainKeyMakePremainParseTheSettings() {
        assertTrue(AgentRuntime.namesPremainKey("port=0,only-main=x\\.Main"));
        assertTrue(AgentRuntime.namesPremainKey("targets-dir=/tmp/t"));
        // the tests' environment sets no AF_METRICS_ variable of these keys
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv().keySet().stream()
                .noneMatch(k -> k.startsWith("AF_METRICS_")));
        assertFalse(AgentRuntime.namesPremainKey("port=0,json=a.json"));
        assertFalse(AgentRuntime.namesPremainKey(null));
    }
}
