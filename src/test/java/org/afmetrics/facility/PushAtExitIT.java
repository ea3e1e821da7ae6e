package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.Pushgateway;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;

/** A short-lived JVM pushes its final metrics to Debian's Pushgateway, and Prometheus scrapes them there. */
class PushAtExitIT {
    @Test
    void aJvmLiving200msLeavesItsMetricsOnThePushgatewayForPrometheus() throws Exception {
        try (Pushgateway gateway = Pushgateway.start()) {
            ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "200")
                    .agent("port=0,user=batch-user,session=job-17,pushgateway=" + gateway.url())
                    .start();
            assertEquals(0, jvm.awaitExit(Duration.ofSeconds(60)), jvm.stderr());

            Exposition pushed = gateway.scrape();
            Exposition.Sample info = pushed.find("afmetrics_agent_info", "job", "af-metrics-push", "user", "batch-user",
                    "session", "job-17");
            assertNotNull(info, "the pushed agent info is on the gateway:\n" + pushed.text());
            assertNotNull(pushed.find("process_start_time_seconds", "job", "af-metrics-push", "session", "job-17"),
                    "the hotspot metrics went along");
            assertNotNull(pushed.find("push_time_seconds", "job", "af-metrics-push", "user", "batch-user", "session", "job-17"));

            try (PrometheusServer prometheus = PrometheusServer.start("  - job_name: pushgateway\n    honor_labels: true\n"
                    + "    static_configs:\n      - targets: ['" + gateway.target() + "']\n")) {
                JsonNode r = prometheus.awaitQuery("afmetrics_agent_info{user=\"batch-user\",session=\"job-17\"}",
                        v -> v.size() == 1, Duration.ofSeconds(30));
                assertEquals("af-metrics-push", r.get(0).path("metric").path("job").asText());
            }
        }
    }

    @Test
    void onTemurin25TheExitPushesAndRemovesTheTargetFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path targets)
            throws Exception {
        java.nio.file.Path jdk25 = org.afmetrics.testing.Jdks.temurin25OrSkip();
        try (Pushgateway gateway = Pushgateway.start()) {
            // lives long enough to serve (and so to write its target file) even on a busy machine
            ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "3000").javaHome(jdk25)
                    .agent("port=0,session=jdk25,targets-dir=" + targets + ",pushgateway=" + gateway.url())
                    .start();
            jvm.awaitExporterUrl(Duration.ofSeconds(30));
            assertEquals(0, jvm.awaitExit(Duration.ofSeconds(60)), jvm.stderr());
            Exposition.Sample info = gateway.scrape().find("afmetrics_agent_info", "session", "jdk25");
            assertNotNull(info, jvm.stderr());
            assertTrue(info.labels.get("java_version").startsWith("25"), info.toString());
            try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(targets)) {
                assertEquals(0, left.count(), "the target file went with the JVM");
            }
            assertTrue(jvm.stderr().contains("[af-metrics] exporting on"), jvm.stderr());
        }
    }

    @Test
    void everyJvmLeavesAGroupOfItsOwnEvenInOneSession() throws Exception {
        try (Pushgateway gateway = Pushgateway.start()) {
            List<String> expected = new ArrayList<>();
            for (String session : new String[] {"a", "b", "a"}) {
                ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "0")
                        .agent("port=0,user=u1,session=" + session + ",pushgateway=" + gateway.target()
                                + ",pushgateway-job=nightly")
                        .start();
                assertEquals(0, jvm.awaitExit(Duration.ofSeconds(60)), jvm.stderr());
                expected.add(session + "/" + jvm.pid());
            }
            Exposition pushed = gateway.scrape();
            List<String> groups = new ArrayList<>();
            for (Exposition.Sample s : pushed.named("afmetrics_agent_info")) {
                assertEquals("nightly", s.labels.get("job"));
                groups.add(s.labels.get("session") + "/" + s.labels.get("pid"));
            }
            groups.sort(null);
            expected.sort(null);
            assertEquals(expected, groups, "the second JVM of session a did not replace the first:\n" + pushed.text());
        }
    }

    @Test
    void aGatewayThatNeverAnswersDoesNotHoldTheExit() throws Exception {
        // accepts connections and reads, but never answers: only the agent's timeouts end the push
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = blackHole.accept();
                        held.add(s);
                        InputStream in = s.getInputStream();
                        new Thread(() -> {
                            try {
                                in.transferTo(java.io.OutputStream.nullOutputStream());
                            } catch (java.io.IOException ignored) {
                                // closed
                            }
                        }).start();
                    }
                } catch (java.io.IOException ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            // the same host with the agent and nothing to push at exit, timed in the same run: the yardstick
            long alone = System.nanoTime();
            ChildJvm.Running without = ChildJvm.main(SleepMain.class, "0").agent("port=0").start();
            assertEquals(0, without.awaitExit(Duration.ofSeconds(60)), without.stderr());
            long aloneMillis = (System.nanoTime() - alone) / 1_000_000;

            long start = System.nanoTime();
            ChildJvm.Running jvm = ChildJvm.main(SleepMain.class, "0")
                    .agent("port=0,pushgateway-timeout-ms=500,pushgateway=http://127.0.0.1:" + blackHole.getLocalPort())
                    .start();
            // without the timeouts this JVM would wait forever for an answer
            assertEquals(0, jvm.awaitExit(Duration.ofSeconds(60)), jvm.stderr());
            long heldMillis = (System.nanoTime() - start) / 1_000_000 - aloneMillis;
            // the exit waits for the 500 ms budget, not for the gateway: a few budgets' slack for a loaded machine
            assertTrue(heldMillis < 5 * 500 + aloneMillis / 2, "the exit was held " + heldMillis + " ms longer than "
                    + "without a gateway (" + aloneMillis + " ms) for a 500 ms budget");
            jvm.awaitStderr(Pattern.compile("\\[af-metrics\\] warning: at exit, (push to .* failed|gave up)"),
                    Duration.ofSeconds(5));
            assertTrue(jvm.stdout().contains("host main done"));
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
