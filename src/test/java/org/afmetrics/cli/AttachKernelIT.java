package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.api.Test;

/**
 * A live kernel, started from a kernelspec without the agent, gets it by {@code attach}: the
 * cells run after the attach are counted, those before are not, and the identity is the
 * kernel's own.
 */
class AttachKernelIT {
    private static final Duration CELL = Duration.ofSeconds(60);

    @Test
    void basekernelTestKernel() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        scenario(env, "afm-live-java", "java", TestKernels.jshell(Jdks.current(), TestKernels.BASEKERNEL_MAIN),
                List.of("int a = 1;", "a + 1", "a + 2", "throw new RuntimeException(\"on purpose\");"));
    }

    @Test
    void kotlinKernel() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        scenario(env, "afm-live-kotlin", "kotlin", TestKernels.kotlin(Jdks.current(), env.dir().resolve("kotlin-home")),
                List.of("val a = 1", "a + 1", "a + 2", "error(\"on purpose\")"));
    }

    private static void scenario(JupyterEnv env, String name, String language, List<String> argv, List<String> cells)
            throws Exception {
        env.kernelspec(name, language, argv, Map.of("JUPYTERHUB_USER", "ivy"));
        try (KernelDriver k = KernelDriver.start(env, name, Duration.ofSeconds(180))) {
            assertEquals("ok", k.execute(cells.get(0), CELL).path("status").asText(), k.log());
            assertEquals("ok", k.execute(cells.get(1), CELL).path("status").asText(), k.log());

            AgentCli.Result attached = AgentCli.attach(Long.toString(k.kernelPid()), "port=0,hotspot=false");
            assertEquals(0, attached.exitCode, attached.stderr + "\n" + k.log());
            Matcher m = Pattern.compile("exporting on (http://\\S+/metrics)").matcher(attached.stdout);
            assertTrue(m.find(), attached.stdout);
            String url = m.group(1);

            assertEquals("ok", k.execute(cells.get(2), CELL).path("status").asText(), k.log());
            assertEquals("error", k.execute(cells.get(3), CELL).path("status").asText(), k.log());

            Exposition e = Http.scrape(url);
            Exposition.Sample ok = e.find("jupyter_cell_executions_total", "status", "ok");
            Exposition.Sample error = e.find("jupyter_cell_executions_total", "status", "error");
            assertNotNull(ok, e.text());
            assertEquals(1, ok.value, "only the cells after the attach are counted");
            assertEquals(1, error.value);
            assertEquals(2, e.find("jupyter_cell_duration_seconds_count").value);
            assertEquals("ivy", ok.labels.get("user"));
            assertEquals(k.kernelId(), ok.labels.get("session"));

            AgentCli.Result again = AgentCli.attach(Long.toString(k.kernelPid()), "port=0");
            assertEquals(0, again.exitCode, again.stderr);
            assertTrue(again.stdout.contains("already exporting on " + url), again.stdout);
        }
    }
}
