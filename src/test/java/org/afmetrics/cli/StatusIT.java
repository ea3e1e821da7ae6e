package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}: every agent on the host, as the agents themselves report. */
class StatusIT {
    @TempDir
    Path dir;

    /** {@code status ARGS}, which must succeed; its stdout. Listing every JVM on the host may take a while. */
    private static String status(String... args) throws Exception {
        return AgentCli.jar("status").args(args).timeout(Duration.ofSeconds(120)).ok();
    }

    private static JsonNode byPid(JsonNode agents, long pid) {
        for (JsonNode a : agents) {
            if (a.path("pid").asLong() == pid) {
                return a;
            }
        }
        return null;
    }

    @Test
    void listsAgentsStartedWithTheJvmAndAttachedLater() throws Exception {
        Files.writeString(dir.resolve("af-metrics.json"), "{\"entries\": 7, \"columns\": []}");
        try (ChildJvm.Running started = ChildJvm.main(SleepMain.class, "120000").agent("port=0")
                .env("JUPYTERHUB_USER", "frank").env("JPY_SESSION_NAME", "cms.ipynb").workDir(dir).start();
             ChildJvm.Running attached = ChildJvm.main(SleepMain.class, "120000").env("JUPYTERHUB_USER", "gina")
                .workDir(dir).start()) {
            String url = started.awaitExporterUrl(Duration.ofSeconds(30));
            assertEquals(0, AgentCli.attach(Long.toString(attached.pid()), "port=0,json=missing.json").exitCode);

            JsonNode agents = new ObjectMapper().readTree(status("--json"));
            JsonNode first = byPid(agents, started.pid());
            assertNotNull(first, agents.toPrettyString());
            assertEquals(url, first.path("url").asText());
            assertEquals("frank", first.path("user").asText());
            assertEquals(Long.toString(started.pid()), first.path("session").asText());
            assertEquals("cms.ipynb", first.path("notebook").asText());
            assertEquals(1, first.path("json").path(dir.resolve("af-metrics.json").toString()).path("series").asInt());

            JsonNode second = byPid(agents, attached.pid());
            assertNotNull(second, agents.toPrettyString());
            assertEquals("gina", second.path("user").asText());
            assertEquals(0, second.path("json").path(dir.resolve("missing.json").toString()).path("series").asInt(-1));

            String table = status();
            assertTrue(table.lines().anyMatch(l -> l.startsWith(started.pid() + " ") && l.contains("frank")
                    && l.contains(url)), table);
        }
    }

    @Test
    void agentsTheJdkCannotListAreFoundThroughTheirTargetFiles() throws Exception {
        Path targets = Files.createDirectories(dir.resolve("targets"));
        try (ChildJvm.Running hidden = ChildJvm.main(SleepMain.class, "120000")
                .agent("port=0,targets-dir=" + targets).jvmOption("-XX:+DisableAttachMechanism")
                .env("JUPYTERHUB_USER", "hana").workDir(dir).start()) {
            String url = hidden.awaitExporterUrl(Duration.ofSeconds(30));
            JsonNode agents = new ObjectMapper().readTree(status("--targets-dir", targets.toString(), "--json"));
            JsonNode found = byPid(agents, hidden.pid());
            assertNotNull(found, agents.toPrettyString());
            assertEquals(url, found.path("url").asText());
            assertEquals("hana", found.path("user").asText());
            assertTrue(found.path("found_by").asText().startsWith("target:"), found.toString());
            assertTrue(found.path("reachable").asBoolean());
        }
    }
}
