package org.afmetrics.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.config.AgentConfig;
import org.junit.jupiter.api.Test;

class IdentityDetectorTest {
    private final List<String> asked = new ArrayList<>();

    private Identity detect(Map<String, String> env, String commandLine, String args) {
        Map<String, String> e = new HashMap<>(env);
        e.put("JUPYTERHUB_API_TOKEN", "secret-token");
        IdentityDetector d = new IdentityDetector(name -> {
            asked.add(name);
            return e.get(name);
        }, commandLine, "osuser", 4242);
        return d.detect(AgentConfig.parse(args, n -> null));
    }

    @Test
    void jupyterHubUserAndKernelIdFromTheConnectionFile() {
        Identity id = detect(Map.of("JUPYTERHUB_USER", "alice", "JPY_SESSION_NAME", "/home/alice/ttbar.ipynb"),
                "io.github.spencerpark.ijava.IJava /home/alice/.local/share/jupyter/runtime/"
                        + "kernel-3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f.json", null);
        assertEquals("alice", id.user());
        assertEquals("3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f", id.session());
        assertEquals("/home/alice/ttbar.ipynb", id.labels().get("notebook"));
        assertEquals(List.of("user", "session", "notebook"), id.labelNames());
    }

    @Test
    void fallsBackToTheOsUserAndThePid() {
        Identity id = detect(Map.of(), "org.example.Main --verbose", null);
        assertEquals("osuser", id.user());
        assertEquals("4242", id.session());
        assertFalse(id.hasLabel("notebook"));
    }

    @Test
    void overridesAndCustomLabels() {
        Identity id = detect(Map.of("JUPYTERHUB_USER", "alice"), "Main kernel-abc.json",
                "user=carol,session=s1,labels=site=unl;user=ignored");
        assertEquals("carol", id.user());
        assertEquals("s1", id.session());
        assertEquals("unl", id.labels().get("site"));
        assertEquals(List.of("user", "session", "site"), id.labelNames(), "a custom label cannot replace user");
    }

    @Test
    void neverAsksForTheHubToken() {
        detect(Map.of("JUPYTERHUB_USER", "alice"), "", null);
        assertFalse(asked.contains("JUPYTERHUB_API_TOKEN"), asked.toString());
        assertTrue(asked.contains("JUPYTERHUB_USER"));
    }

    @Test
    void connectionFileForms() {
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("x.jar kernel-abc.json"));
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("Main --connection-file=/r/kernel-abc.json"));
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("Main C:\\r\\kernel-abc.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine("Main kernel-.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine("Main kernel.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine(""));
    }

    @Test
    void reservedNamesIncludeWhatTheAgentMayAddLater() {
        Identity id = detect(Map.of(), "", "labels=site=unl");
        assertTrue(id.reservedLabelNames().containsAll(List.of("user", "session", "notebook", "kernel", "site")));
    }
}
