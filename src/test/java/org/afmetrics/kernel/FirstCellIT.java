package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hooks are in before a kernel answers: a cell sent by jupyter_client the moment the kernel's
 * first {@code kernel_info_reply} arrives is counted, and every hook point of each real kernel is
 * {@code woven}.
 */
class FirstCellIT {
    private static final int PORTS = 10;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    interface Argv {
        List<String> of(JupyterEnv env) throws Exception;
    }

    static Stream<Arguments> kernels() {
        return Stream.of(
                Arguments.of("afm-first-kotlin", "kotlin", (Argv) env -> TestKernels.kotlin(Jdks.current(),
                        env.dir().resolve("kotlin-home")), "1 + 1",
                        List.of("org.jetbrains.kotlinx.jupyter.messaging.ProtocolKt.shellMessagesHandler",
                                "org.jetbrains.kotlinx.jupyter.messaging.ProtocolKt.evalWithIO",
                                "org.jetbrains.kotlinx.jupyter.JupyterExecutorImpl.runExecution",
                                "org.jetbrains.kotlinx.jupyter.JupyterExecutorImpl.interruptExecutions")),
                Arguments.of("afm-first-basekernel", "java", (Argv) env -> TestKernels.jshell(Jdks.current(),
                        TestKernels.BASEKERNEL_MAIN), "1 + 1", baseHooks("io.github.spencerpark.jupyter.")),
                Arguments.of("afm-first-basekernel-25", "java", (Argv) env -> TestKernels.jshell(Jdks.temurin25OrSkip(),
                        TestKernels.BASEKERNEL_MAIN), "1 + 1", baseHooks("io.github.spencerpark.jupyter.")),
                Arguments.of("afm-first-jjava", "java", (Argv) env -> TestKernels.jshell(Jdks.current(),
                        TestKernels.JJAVA_MAIN), "1 + 1", baseHooks("org.dflib.jjava.jupyter.")));
    }

    /** The hook points of a kernel built on the basekernel or on JJava, under its package. */
    private static List<String> baseHooks(String pkg) {
        return List.of(pkg + "kernel.BaseKernel.becomeHandlerForConnection", pkg + "kernel.BaseKernel.handleExecuteRequest",
                pkg + "kernel.BaseKernel.handleInterruptRequest", pkg + "messages.reply.ErrorReply.of");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void aCellSentAtTheFirstKernelInfoReplyIsCounted(String name, String language, Argv argv, String cell,
            List<String> hooks) throws Exception {
        JupyterEnv env = JupyterEnv.create();
        // a run of ports, not one: another process may take a single port before the agent binds
        int port = FreePort.findRun(PORTS);
        env.kernelspec(name, language, argv.of(env),
                Map.of("JAVA_TOOL_OPTIONS", AgentJar.option("port=" + port + "-" + (port + PORTS - 1) + ",hotspot=false")));
        try (KernelDriver k = KernelDriver.start(env, name, Duration.ofSeconds(180), cell)) {
            JsonNode reply = k.awaitReply(k.firstCellId(), SETTLE);
            assertEquals("ok", reply.path("status").asText(), reply + "\n" + k.log());

            // the hook's exit runs as the kernel's method returns, which may be just after the reply
            // left; and the exporter itself starts only once the kernel has answered
            Exposition metrics = awaitCounted(FreePort.targets(port, PORTS));
            assertEquals(1.0, metrics.find("jupyter_cell_executions_total", "status", "ok").value, metrics.text());
            assertEquals(1.0, metrics.find("jupyter_cell_duration_seconds_count").value, metrics.text());

            Map<String, String> states = metrics.named("afmetrics_kernel_hooks").stream()
                    .collect(Collectors.toMap(s -> s.labels.get("hook"), s -> s.labels.get("state")));
            for (String hook : hooks) {
                assertEquals("woven", states.get(hook), hook + " in " + states);
            }
            assertTrue(states.values().stream().allMatch("woven"::equals), states.toString());
            for (Exposition.Sample s : metrics.named("afmetrics_kernel_hooks")) {
                assertEquals(1.0, s.value, s.line);
            }
            assertTrue(k.log().lines().noneMatch(l -> l.startsWith("[af-metrics] warning")), k.log());
        }
    }

    /** The agent's metrics once they count the cell, from whichever port of the run it took. */
    private static Exposition awaitCounted(String[] targets) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        java.io.IOException last = new java.io.IOException("no port of " + String.join(", ", targets) + " answered");
        while (true) {
            for (String target : targets) {
                try {
                    Exposition metrics = Http.scrape("http://" + target + "/metrics");
                    Exposition.Sample ok = metrics.find("jupyter_cell_executions_total", "status", "ok");
                    if ((ok != null && ok.value > 0) || System.nanoTime() > deadline) {
                        return metrics;
                    }
                } catch (java.io.IOException notServingThere) {
                    last = notServingThere;
                }
            }
            if (System.nanoTime() > deadline) {
                throw last;
            }
            Thread.sleep(100);
        }
    }
}
