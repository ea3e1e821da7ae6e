package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.JupyterKernels;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Agent arguments handed on by a command, {@code attach PID AGENT-ARGS} and
 * {@code kernelspec install --agent-args}: one check for both. What the agent would only warn
 * about at start is refused with exit status 2, the same words from both, and nothing done.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentArgsIT {
    @TempDir
    static Path tmp;
    static ChildJvm.Running host;
    static Map<String, String> jupyter;
    static Path kernelJson;
    static final byte[] KERNEL = "{\"argv\": [\"java\", \"-jar\", \"k.jar\", \"{connection_file}\"], \"language\": \"java\"}\n"
            .getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        host = ChildJvm.main(SleepMain.class, "600000").workDir(tmp).start();
        Path spec = Files.createDirectories(tmp.resolve("jupyter").resolve("kernels").resolve("java"));
        kernelJson = Files.write(spec.resolve("kernel.json"), KERNEL);
        jupyter = JupyterKernels.privateEnv(tmp.resolve("jupyter"), tmp);
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "targets_dir=/tmp/t              | unknown key 'targets_dir' (java -jar af-metrics-agent.jar --help lists the keys)",
        "port=abc                        | port: 'abc' is not a port",
        "port                            | key 'port' has no value (write port=VALUE)",
        "port=,prefix=x                  | key 'port' has an empty value",
        "port=0,colour=blue              | unknown key 'colour'",
        "json-max-series=-1              | json-max-series: ",
    })
    void argumentsTheAgentWouldNotTakeAreRefusedByAttachAndInstallAlike(String args, String problem) throws Exception {
        AgentCli.Result attach = AgentCli.attach(Long.toString(host.pid()), args);
        assertEquals(2, attach.exitCode, attach.toString());
        assertTrue(attach.stderr.contains("AGENT-ARGS refused, nothing attached: " + problem), attach.stderr);

        AgentCli.Result install = AgentCli.run(jupyter, "kernelspec", "install", "java", "--jar", AgentJar.path().toString(),
                "--agent-args", args);
        assertEquals(2, install.exitCode, install.toString());
        assertTrue(install.stderr.contains("--agent-args refused, nothing written: " + problem), install.stderr);
        assertArrayEquals(KERNEL, Files.readAllBytes(kernelJson));

        for (AgentCli.Result r : new AgentCli.Result[] {attach, install}) {
            assertEquals("", r.stdout);
            assertFalse(r.stderr.contains("using the default") || r.stderr.contains("ignored"),
                    "the agent's own consequence is not what happened here: " + r.stderr);
        }
        assertFalse(host.stderrLines().stream().anyMatch(l -> l.contains("[af-metrics]")), "no agent ran in the JVM");
    }

    /** Last: the refused attaches above left the JVM as it was, so this one starts the first exporter. */
    @Order(2)
    @Test
    void aRefusedAttachLeftTheJvmWithoutAgent() throws Exception {
        assertEquals(2, AgentCli.attach(Long.toString(host.pid()), "targets_dir=" + tmp).exitCode);
        AgentCli.Result good = AgentCli.attach(Long.toString(host.pid()), "port=0");
        assertEquals(0, good.exitCode, good.toString());
        assertTrue(good.stdout.startsWith("exporting on "), "the first exporter, not an earlier one: " + good.stdout);
    }
}
