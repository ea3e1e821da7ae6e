package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attach PID}: the agent loaded into a JVM that started without it. */
class AttachIT {
    private static final Pattern EXPORTING = Pattern.compile("exporting on (http://\\S+/metrics)");

    @TempDir
    Path dir;

    static final class Result {
        int exit;
        String out;
        String err;
    }

    static Result attach(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Jdks.java(Jdks.current()), "-jar", AgentJar.path().toString(),
                "attach"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        Result r = new Result();
        r.out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        r.err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        r.exit = p.exitValue();
        return r;
    }

    @Test
    void attachServesWithTheSameIdentityAndASecondAttachReusesTheExporter() throws Exception {
        Path connection = dir.resolve("kernel-5e1f0c2a-aaaa-bbbb-cccc-000000000001.json");
        ChildJvm.Running host = ChildJvm.main(SleepMain.class, "120000", "0", connection.toString())
                .env("JUPYTERHUB_USER", "dana").workDir(dir).start();
        try (host) {
            Result first = attach(Long.toString(host.pid()), "port=0,labels=site=unl");
            assertEquals(0, first.exit, first.err);
            Matcher m = EXPORTING.matcher(first.out);
            assertTrue(m.find(), first.out);
            String url = m.group(1);
            Exposition.Sample info = Http.scrape(url).find("afmetrics_agent_info");
            assertEquals("dana", info.labels.get("user"));
            assertEquals("5e1f0c2a-aaaa-bbbb-cccc-000000000001", info.labels.get("session"));
            assertEquals("unl", info.labels.get("site"));

            Result second = attach(Long.toString(host.pid()), "port=0");
            assertEquals(0, second.exit, second.err);
            assertTrue(second.out.contains("already exporting on " + url), second.out);
            assertTrue(host.process().isAlive());
            assertEquals(1, host.stderrLines().stream().filter(l -> l.contains("[af-metrics] exporting")).count());
        }
    }

    @Test
    void aJvmAttachedRightAfterItsStartIsNotKilled() throws Exception {
        try (ChildJvm.Running host = ChildJvm.main(SleepMain.class, "60000").workDir(dir).start()) {
            Result r = attach(Long.toString(host.pid()), "port=0");
            assertEquals(0, r.exit, r.err);
            assertTrue(host.process().isAlive(), "the young JVM survived the attach");
        }
    }

    @Test
    void deadAndNonJvmProcessesAreClearErrors() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Result dead = attach(Long.toString(gone.pid()));
        assertNotEquals(0, dead.exit);
        assertTrue(dead.err.contains("no process " + gone.pid()), dead.err);

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Result notJvm = attach(Long.toString(sleeper.pid()));
            assertNotEquals(0, notJvm.exit);
            assertTrue(notJvm.err.contains("is not a JVM"), notJvm.err);
            Thread.sleep(500);
            assertTrue(sleeper.isAlive(), "a process that is no JVM is left alone");
        } finally {
            sleeper.destroyForcibly();
        }
        Result garbage = attach("abc");
        assertEquals(2, garbage.exit);
    }
}
