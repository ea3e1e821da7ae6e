package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.api.Test;

/**
 * Cell metrics end to end, with real parts only: a kernel started by Debian's jupyter_client from
 * a kernelspec whose env carries the agent (JAVA_TOOL_OPTIONS) and JUPYTERHUB_USER, cells sent
 * as a notebook server sends them, Debian's Prometheus scraping the agent, and every assertion
 * made through Prometheus's query API.
 */
class CellMetricsIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** The same notebook in each kernel's language. */
    private static final class Cells {
        final String define;
        final String compute;
        final String writeJson;
        final String fail;
        final String longRunning;

        Cells(String define, String compute, String writeJson, String fail, String longRunning) {
            this.define = define;
            this.compute = compute;
            this.writeJson = writeJson;
            this.fail = fail;
            this.longRunning = longRunning;
        }
    }

    private static final Cells JAVA = new Cells(
            "int events = 1000;",
            "events * 2",
            "java.nio.file.Files.writeString(java.nio.file.Path.of(\"af-metrics.json\"),"
                    + " \"{\\\"entries\\\": \" + events + \", \\\"chunks\\\": 4}\");",
            "throw new IllegalStateException(\"this cell fails on purpose\");",
            "for (int i = 0; i < 1200; i++) Thread.sleep(100);");

    private static final Cells KOTLIN = new Cells(
            "val events = 1000",
            "events * 2",
            "java.io.File(\"af-metrics.json\").writeText(\"{\\\"entries\\\": $events, \\\"chunks\\\": 4}\")",
            "error(\"this cell fails on purpose\")",
            "Thread.sleep(120000)");

    @Test
    void basekernelTestKernelOnJdk17() throws Exception {
        scenario("afm-basekernel", "java", TestKernels.jshell(Jdks.current(), TestKernels.BASEKERNEL_MAIN), JAVA,
                "basekerneljshell", "2.3.0");
    }

    @Test
    void basekernelTestKernelOnTemurin25() throws Exception {
        scenario("afm-basekernel-25", "java", TestKernels.jshell(Jdks.temurin25OrSkip(), TestKernels.BASEKERNEL_MAIN),
                JAVA, "basekerneljshell", "2.3.0");
    }

    @Test
    void jjavaTestKernelOnJdk17() throws Exception {
        scenario("afm-jjava", "java", TestKernels.jshell(Jdks.current(), TestKernels.JJAVA_MAIN), JAVA,
                "jshell-jjava", "1.0");
    }

    @Test
    void jjavaTestKernelOnTemurin25() throws Exception {
        scenario("afm-jjava-25", "java", TestKernels.jshell(Jdks.temurin25OrSkip(), TestKernels.JJAVA_MAIN), JAVA,
                "jshell-jjava", "1.0");
    }

    @Test
    void kotlinKernelOnJdk17() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        scenario(env, "afm-kotlin", "kotlin", TestKernels.kotlin(Jdks.current(), env.dir().resolve("kotlin-home")),
                KOTLIN, "kotlin", "0.11.0-398");
    }

    private void scenario(String name, String language, List<String> argv, Cells cells, String kernel,
            String kernelVersion) throws Exception {
        scenario(JupyterEnv.create(), name, language, argv, cells, kernel, kernelVersion);
    }

    private void scenario(JupyterEnv env, String name, String language, List<String> argv, Cells cells, String kernel,
            String kernelVersion) throws Exception {
        // a run of ports, not one: a port taken by another process before the kernel binds is skipped
        int port = FreePort.findRun(10);
        String user = "carol";
        env.kernelspec(name, language, argv,
                Map.of("JAVA_TOOL_OPTIONS", AgentJar.option("port=" + port + "-" + (port + 9) + ",hotspot=false"),
                        "JUPYTERHUB_USER", user));
        try (PrometheusServer prometheus = PrometheusServer.scraping(FreePort.targets(port, 10));
                KernelDriver k = KernelDriver.start(env, name, Duration.ofSeconds(180))) {
            String session = k.kernelId();
            assertTrue(k.connectionFile().endsWith("kernel-" + session + ".json"), k.connectionFile());
            String who = "user=\"" + user + "\",session=\"" + session + "\"";

            assertEquals("ok", status(k.execute(cells.define, SETTLE), k));
            assertEquals("ok", status(k.execute(cells.compute, SETTLE), k));
            assertEquals("ok", status(k.execute(cells.writeJson, SETTLE), k));
            assertEquals("error", status(k.execute(cells.fail, SETTLE), k));

            prometheus.awaitValue("jupyter_cell_executions_total{status=\"ok\"," + who + "}", 3, SETTLE);
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"error\"," + who + "}", 1, SETTLE);
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"interrupted\"," + who + "}", 0, SETTLE);
            prometheus.awaitValue("jupyter_cell_duration_seconds_count{" + who + "}", 4, SETTLE);
            prometheus.awaitValue("jupyter_kernel_info{kernel=\"" + kernel + "\",kernel_version=\"" + kernelVersion
                    + "\",language=\"" + language + "\"," + who + "}", 1, SETTLE);
            // the notebook's own JSON metrics carry the same identity (and the kernel label)
            prometheus.awaitValue("notebook_entries{" + who + ",kernel=\"" + kernel + "\"}", 1000, SETTLE);
            JsonNode activity = prometheus.query("time() - jupyter_kernel_last_activity_timestamp_seconds{"
                    + who + "}");
            assertEquals(1, activity.size(), activity.toString());
            assertTrue(PrometheusServer.value(activity.get(0)) < 600, activity.toString());

            String longCell = k.submit(cells.longRunning);
            prometheus.awaitValue("jupyter_cell_running{" + who + "}", 1, SETTLE);
            k.interrupt();
            JsonNode reply = k.awaitReply(longCell, SETTLE);
            assertNotEquals("ok", reply.path("status").asText(), reply.toString());
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"interrupted\"," + who + "}", 1, SETTLE);
            prometheus.awaitValue("jupyter_cell_running{" + who + "}", 0, SETTLE);
            prometheus.awaitValue("sum(jupyter_cell_executions_total{" + who + "})", 5, SETTLE);
        }
    }

    private static String status(JsonNode reply, KernelDriver k) throws Exception {
        String s = reply.path("status").asText();
        return s.isEmpty() ? reply.toString() + "\n" + k.log() : s;
    }
}
