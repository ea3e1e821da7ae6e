package org.afmetrics.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.Pushgateway;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real processes: a parent whose arguments hold a kernel connection file (as a Python kernel's
 * {@code -f .../kernel-<id>.json} does) starts a JVM with the agent; that JVM reports under the
 * kernel's session.
 */
class ChildJvmSessionIT {
    /** A shell that stays the JVM's parent (it does not exec it) and holds the connection file among its arguments. */
    private static ChildJvm underKernel(ChildJvm jvm, String kernelId) {
        return jvm.launcher(List.of("bash", "-c", "shift; \"$@\"; rc=$?; exit $rc", "bash",
                "/tmp/afm-it/runtime/kernel-" + kernelId + ".json"));
    }

    private static void stopAll(ChildJvm.Running r) {
        r.process().descendants().forEach(ProcessHandle::destroy);
        r.close();
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"the build's JDK", "Temurin 25"})
    void aJvmAKernelStartedReportsUnderTheKernelsSession(String jdk) throws Exception {
        java.nio.file.Path home = jdk.startsWith("Temurin") ? Jdks.temurin25OrSkip() : Jdks.current();
        String kernelId = UUID.randomUUID().toString();
        ChildJvm.Running r = underKernel(ChildJvm.main(SleepMain.class, "60000").javaHome(home).agent("port=0"),
                kernelId).start();
        try {
            String url = r.awaitExporterUrl(Duration.ofSeconds(60));
            Exposition e = Http.scrape(url);
            Exposition.Sample info = e.find("afmetrics_agent_info", "session", kernelId, "jvm", "child");
            assertNotNull(info, e.text());
            assertNotNull(e.find("jvm_threads_current", "session", kernelId, "jvm", "child"), "every series says so");
        } finally {
            stopAll(r);
        }
    }

    @Test
    void aJvmWithoutAKernelAboveReportsItsPidAsOther() throws Exception {
        try (ChildJvm.Running r = ChildJvm.main(SleepMain.class, "60000").agent("port=0").start()) {
            String url = r.awaitExporterUrl(Duration.ofSeconds(60));
            Exposition e = Http.scrape(url);
            assertNotNull(e.find("afmetrics_agent_info", "session", Long.toString(r.pid()), "jvm", "other"), e.text());
        }
    }

    @Test
    void twoShortJvmsOfOneKernelLeaveTwoGroupsOnThePushgateway() throws Exception {
        String kernelId = UUID.randomUUID().toString();
        try (Pushgateway gateway = Pushgateway.start()) {
            for (int i = 0; i < 2; i++) {
                ChildJvm.Running r = underKernel(ChildJvm.main(SleepMain.class, "0")
                        .agent("port=0,pushgateway=" + gateway.url()), kernelId).start();
                try {
                    assertEquals(0, r.awaitExit(Duration.ofSeconds(60)), r.stderr());
                } finally {
                    stopAll(r);
                }
            }
            Exposition pushed = gateway.scrape();
            List<String> pids = new ArrayList<>();
            for (Exposition.Sample s : pushed.named("afmetrics_agent_info")) {
                assertEquals(kernelId, s.labels.get("session"), s.line);
                assertEquals("child", s.labels.get("jvm"), s.line);
                pids.add(s.labels.get("pid"));
            }
            assertEquals(2, pids.size(), pushed.text());
            assertNotEquals(pids.get(0), pids.get(1), pushed.text());
        }
    }
}
