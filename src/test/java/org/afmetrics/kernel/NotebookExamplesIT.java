package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.NotebookRun;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.api.Test;

/**
 * The notebooks in notebook-examples/ executed for real by nbclient in kernels launched from
 * kernelspecs that carry the agent, and their metrics checked through Prometheus against what
 * the notebook itself computed (its last cell's output) and the notebook's own cell list.
 */
class NotebookExamplesIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "events=(\\d+) chunks=(\\d+) bytesread=(\\d+) selected=(\\d+)");
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void javaNotebookOnTheBasekernelTestKernel() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        run(env, Paths.get("notebook-examples", "coffea-like-java", "coffea_like_java.ipynb"), "afm-java", "java",
                TestKernels.jshell(Jdks.current(), TestKernels.BASEKERNEL_MAIN), "basekerneljshell");
    }

    @Test
    void kotlinNotebookOnTheKotlinKernel() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        run(env, Paths.get("notebook-examples", "coffea-like-kotlin", "coffea_like_kotlin.ipynb"), "afm-kotlin",
                "kotlin", TestKernels.kotlin(Jdks.current(), env.dir().resolve("kotlin-home")), "kotlin");
    }

    private void run(JupyterEnv env, Path notebook, String kernelspec, String language, List<String> argv,
            String kernel) throws Exception {
        // a run of ports, not one: a port taken by another process before the kernel binds is skipped
        int port = FreePort.findRun(10);
        String user = "erin";
        env.kernelspec(kernelspec, language, argv,
                Map.of("JAVA_TOOL_OPTIONS", AgentJar.option("port=" + port + "-" + (port + 9) + ",hotspot=false"),
                        "JUPYTERHUB_USER", user));
        JsonNode source = new com.fasterxml.jackson.databind.ObjectMapper().readTree(notebook.toFile());
        int codeCells = 0;
        int failOnPurpose = 0;
        for (JsonNode cell : source.path("cells")) {
            if (cell.path("cell_type").asText().equals("code")) {
                codeCells++;
                for (JsonNode tag : cell.path("metadata").path("tags")) {
                    failOnPurpose += tag.asText().equals("raises-exception") ? 1 : 0;
                }
            }
        }
        assertTrue(failOnPurpose == 1, "the example notebooks fail on purpose in exactly one cell");

        try (PrometheusServer prometheus = PrometheusServer.scraping(FreePort.targets(port, 10));
                NotebookRun run = NotebookRun.execute(env, notebook, Duration.ofSeconds(300))) {
            assertTrue(run.completed(), run.error() + "\n" + run.log());
            assertTrue(run.connectionFile().endsWith("kernel-" + run.kernelId() + ".json"), run.connectionFile());
            Matcher summary = SUMMARY.matcher(lastOutput(run.executedNotebook()));
            assertTrue(summary.find(), "summary cell output");
            long events = Long.parseLong(summary.group(1));
            long chunks = Long.parseLong(summary.group(2));
            long bytesRead = Long.parseLong(summary.group(3));
            long selected = Long.parseLong(summary.group(4));

            String who = "user=\"" + user + "\",session=\"" + run.kernelId() + "\"";
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"ok\"," + who + "}", codeCells - failOnPurpose,
                    SETTLE);
            prometheus.awaitValue("jupyter_cell_executions_total{status=\"error\"," + who + "}", failOnPurpose, SETTLE);
            prometheus.awaitValue("jupyter_kernel_info{kernel=\"" + kernel + "\",language=\"" + language + "\","
                    + who + "}", 1, SETTLE);
            // the savemetrics object, written as JSON
            prometheus.awaitValue("notebook_entries{" + who + "}", events, SETTLE);
            prometheus.awaitValue("notebook_chunks{" + who + "}", chunks, SETTLE);
            prometheus.awaitValue("notebook_bytesread{" + who + "}", bytesRead, SETTLE);
            prometheus.awaitValue("count(notebook_processtime{" + who + "} > 0)", 1, SETTLE);
            // the typed metrics, POSTed
            String ds = ",dataset=\"SingleMu-generated\"";
            prometheus.awaitValue("notebook_events_processed_total{" + who + ds + "}", events, SETTLE);
            prometheus.awaitValue("notebook_chunks_processed_total{" + who + ds + "}", chunks, SETTLE);
            prometheus.awaitValue("notebook_events_selected{" + who + ds + "}", selected, SETTLE);
            prometheus.awaitValue("count(notebook_loop_duration_seconds{" + who + ds + "} > 0)", 1, SETTLE);
        }
    }

    /** The text of the last code cell's result (the notebook's summary line). */
    private static String lastOutput(JsonNode nb) {
        String text = "";
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode out : cell.path("outputs")) {
                JsonNode plain = out.path("data").path("text/plain");
                if (!plain.isMissingNode()) {
                    StringBuilder b = new StringBuilder();
                    plain.forEach(p -> b.append(p.asText()));
                    text = plain.isArray() ? b.toString() : plain.asText();
                }
            }
        }
        return text;
    }
}
