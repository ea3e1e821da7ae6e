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
    static final class Cells {
        final String define;
        final String compute;
        final String writeJson;
        final String fail;
        final String longRunning;
        final String busy;
        final String allocate;

        Cells(String define, String compute, String writeJson, String fail, String longRunning, String busy,
                String allocate) {
            this.define = define;
            this.compute = compute;
            this.writeJson = writeJson;
            this.fail = fail;
            this.longRunning = longRunning;
            this.busy = busy;
            this.allocate = allocate;
        }
    }

    /** CPU seconds the busy cell spins for, measured on the thread that runs it. */
    private static final double BUSY_SECONDS = 1.5;
    /** Heap the allocating cell allocates, in 1 MiB arrays it keeps reachable for a moment. */
    private static final int ALLOCATE_MIB = 300;

    private static final Cells JAVA = new Cells(
            "int events = 1000;",
            "events * 2",
            "java.nio.file.Files.writeString(java.nio.file.Path.of(\"af-metrics.json\"),"
                    + " \"{\\\"entries\\\": \" + events + \", \\\"chunks\\\": 4}\");",
            "throw new IllegalStateException(\"this cell fails on purpose\");",
            "for (int i = 0; i < 1200; i++) Thread.sleep(100);",
            "var cpu = java.lang.management.ManagementFactory.getThreadMXBean();"
                    + " long cpuStart = cpu.getCurrentThreadCpuTime(); long spins = 0;"
                    + " while (cpu.getCurrentThreadCpuTime() - cpuStart < " + (long) (BUSY_SECONDS * 1e9) + "L) spins++;",
            "var kept = new java.util.ArrayList<byte[]>();"
                    + " for (int i = 0; i < " + ALLOCATE_MIB + "; i++) { kept.add(new byte[1 << 20]);"
                    + " if (kept.size() > 16) kept.clear(); }");

    static final Cells KOTLIN = new Cells(
            "val events = 1000",
            "events * 2",
            "java.io.File(\"af-metrics.json\").writeText(\"{\\\"entries\\\": $events, \\\"chunks\\\": 4}\")",
            "error(\"this cell fails on purpose\")",
            "Thread.sleep(120000)",
            "val cpu = java.lang.management.ManagementFactory.getThreadMXBean()\n"
                    + "val cpuStart = cpu.currentThreadCpuTime\nvar spins = 0L\n"
                    + "while (cpu.currentThreadCpuTime - cpuStart < " + (long) (BUSY_SECONDS * 1e9) + "L) spins++",
            "val kept = ArrayList<ByteArray>()\n"
                    + "repeat(" + ALLOCATE_MIB + ") { kept.add(ByteArray(1 shl 20)); if (kept.size > 16) kept.clear() }");

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

    private static void scenario(String name, String language, List<String> argv, Cells cells, String kernel,
            String kernelVersion) throws Exception {
        scenario(JupyterEnv.create(), name, language, argv, cells, kernel, kernelVersion);
    }

    static void scenario(JupyterEnv env, String name, String language, List<String> argv, Cells cells, String kernel,
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

            // what cells cost: the busy and the allocating cell each add their part to the session's counters
            double cpuBefore = total(prometheus, "jupyter_cell_cpu_seconds_total", who);
            assertEquals("ok", status(k.execute(cells.busy, SETTLE), k));
            prometheus.awaitQuery("sum(jupyter_cell_cpu_seconds_total{" + who + "})",
                    r -> r.size() == 1 && PrometheusServer.value(r.get(0)) >= cpuBefore + 1.0, SETTLE);
            double allocatedBefore = total(prometheus, "jupyter_cell_allocated_bytes_total", who);
            assertEquals("ok", status(k.execute(cells.allocate, SETTLE), k));
            prometheus.awaitQuery("sum(jupyter_cell_allocated_bytes_total{" + who + "})",
                    r -> r.size() == 1 && PrometheusServer.value(r.get(0)) >= allocatedBefore + 2e8, SETTLE);
            prometheus.awaitQuery("jupyter_cell_gc_seconds_total{status=\"ok\"," + who + "}",
                    r -> r.size() == 1 && PrometheusServer.value(r.get(0)) >= 0, SETTLE);

            String longCell = k.submit(cells.longRunning);
            prometheus.awaitValue("jupyter_cell_running{" + who + "}", 1, SETTLE);
            k.interrupt();
            JsonNode reply = k.awaitReply(longCell, SETTLE);
            assertNotEquals("ok", reply.path("status").asText(), reply.toString());
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"interrupted\"," + who + "}", 1, SETTLE);
            prometheus.awaitValue("jupyter_cell_running{" + who + "}", 0, SETTLE);
            prometheus.awaitValue("sum(jupyter_cell_executions_total{" + who + "})", 7, SETTLE);
        }
    }

    /** The session's sum of a counter once Prometheus has it (after the first cells it exists). */
    private static double total(PrometheusServer prometheus, String counter, String who) throws Exception {
        JsonNode r = prometheus.awaitQuery("sum(" + counter + "{" + who + "})", x -> x.size() == 1, SETTLE);
        return PrometheusServer.value(r.get(0));
    }

    private static String status(JsonNode reply, KernelDriver k) throws Exception {
        String s = reply.path("status").asText();
        return s.isEmpty() ? reply.toString() + "\n" + k.log() : s;
    }
}
