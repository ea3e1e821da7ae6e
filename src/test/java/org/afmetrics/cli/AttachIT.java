package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attach PID}: the agent loaded into a JVM that started without it. */
class AttachIT {
    private static final Pattern EXPORTING = Pattern.compile("exporting on (http://\\S+/metrics)");

    @TempDir
    Path dir;

    @Test
    void attachServesWithTheSameIdentityAndASecondAttachReusesTheExporter() throws Exception {
        Path connection = dir.resolve("kernel-5e1f0c2a-aaaa-bbbb-cccc-000000000001.json");
        ChildJvm.Running host = ChildJvm.main(SleepMain.class, "120000", "0", connection.toString())
                .env("JUPYTERHUB_USER", "dana").workDir(dir).start();
        try (host) {
            AgentCli.Result first = AgentCli.attach(Long.toString(host.pid()), "port=0,labels=site=unl");
            assertEquals(0, first.exitCode, first.stderr);
            Matcher m = EXPORTING.matcher(first.stdout);
            assertTrue(m.find(), first.stdout);
            String url = m.group(1);
            Exposition.Sample info = Http.scrape(url).find("afmetrics_agent_info");
            assertEquals("dana", info.labels.get("user"));
            assertEquals("5e1f0c2a-aaaa-bbbb-cccc-000000000001", info.labels.get("session"));
            assertEquals("unl", info.labels.get("site"));

            AgentCli.Result second = AgentCli.attach(Long.toString(host.pid()), "port=0");
            assertEquals(0, second.exitCode, second.stderr);
            assertTrue(second.stdout.contains("already exporting on " + url), second.stdout);
            assertTrue(host.process().isAlive());
            assertEquals(1, host.stderrLines().stream().filter(l -> l.contains("[af-metrics] exporting")).count());
        }
    }

    @Test
    void aJvmAttachedRightAfterItsStartIsNotKilled() throws Exception {
        try (ChildJvm.Running host = ChildJvm.main(SleepMain.class, "60000").workDir(dir).start()) {
            AgentCli.Result r = AgentCli.attach(Long.toString(host.pid()), "port=0");
            assertEquals(0, r.exitCode, r.stderr);
            assertTrue(host.process().isAlive(), "the young JVM survived the attach");
        }
    }

    @Test
    void deadAndNonJvmProcessesAreClearErrors() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        AgentCli.Result dead = AgentCli.attach(Long.toString(gone.pid()));
        assertNotEquals(0, dead.exitCode);
        assertTrue(dead.stderr.contains("no process " + gone.pid()), dead.stderr);

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            AgentCli.Result notJvm = AgentCli.attach(Long.toString(sleeper.pid()));
            assertNotEquals(0, notJvm.exitCode);
            assertTrue(notJvm.stderr.contains("is not a JVM"), notJvm.stderr);
            Thread.sleep(500);
            assertTrue(sleeper.isAlive(), "a process that is no JVM is left alone");
        } finally {
            sleeper.destroyForcibly();
        }
        AgentCli.Result garbage = AgentCli.attach("abc");
        assertEquals(2, garbage.exitCode);
    }
}
