package org.afmetrics.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jupyter/kernel_ports.py}, the port chooser of the kernels the tests start through
 * jupyter_client: ports outside the ephemeral range, free (a port something holds is passed
 * over), never twice for one kernel manager; and a kernel that dies before it is ready is
 * started once more.
 */
class KernelPortsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Paths.get("target", "test-classes", "jupyter", "kernel_ports.py").toAbsolutePath();

    private static String run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KernelDriver.PYTHON, SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("AFM_KERNEL_PORTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() + " " + out.trim();
    }

    @ParameterizedTest(name = "{0} ports")
    @ValueSource(ints = {5, 50, 500})
    void portsAreOutsideTheEphemeralRangeFreeAndDistinct(int n) throws Exception {
        String out = run(Map.of(), Integer.toString(n));
        assertTrue(out.startsWith("0 "), out);
        JsonNode ports = JSON.readTree(out.substring(2));
        int[] ephemeral = FreePort.ephemeralRange(FreePort.EPHEMERAL);
        Set<Integer> seen = new HashSet<>();
        for (JsonNode port : ports) {
            int p = port.asInt();
            assertTrue(p < ephemeral[0] || p > ephemeral[1], p + " is in the ephemeral range " + ephemeral[0] + "-" + ephemeral[1]);
            assertTrue(p >= 10000, p + " is below the floor");
            assertTrue(seen.add(p), p + " twice");
        }
        assertEquals(n, seen.size());
    }

    @Test
    void theRangesAreThoseFreePortChoosesFrom() throws Exception {
        String out = run(Map.of());
        List<String> expected = new ArrayList<>();
        for (int[] r : FreePort.ranges(FreePort.ephemeralRange(FreePort.EPHEMERAL))) {
            expected.add("[" + r[0] + ", " + r[1] + "]");
        }
        assertEquals("0 [" + String.join(", ", expected) + "]", out);
    }

    @Test
    void aPortSomethingHoldsIsPassedOver() throws Exception {
        int first = FreePort.findRun(4);
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int p : new int[] {first, first + 2}) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                held.add(s);
            }
            String range = first + "-" + (first + 3);
            assertEquals("0 [" + (first + 1) + ", " + (first + 3) + "]", run(Map.of("AFM_KERNEL_PORTS", range), "2"));
            String none = run(Map.of("AFM_KERNEL_PORTS", range), "3");
            assertNotEquals('0', none.charAt(0), "a third free port there is none: " + none);
            assertTrue(none.contains("no free port"), none);
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /**
     * A kernel that dies before it is ready (as one whose port was taken between choice and bind)
     * is started once more: the first start of this ipykernel kernelspec exits at once.
     */
    @Test
    void aKernelThatDiedBeforeItWasReadyIsStartedOnceMore() throws Exception {
        JupyterEnv env = JupyterEnv.create();
        Path mark = env.dir().resolve("first-start");
        env.kernelspec("flaky", "python", List.of("/bin/sh", "-c",
                "if [ ! -e " + mark + " ]; then touch " + mark + "; echo 'Address already in use' >&2; exit 1; fi;"
                        + " exec " + KernelDriver.PYTHON + " -m ipykernel_launcher -f \"$0\"", "{connection_file}"), Map.of());
        try (KernelDriver k = KernelDriver.start(env, "flaky", Duration.ofSeconds(120))) {
            assertEquals("ok", k.execute("1 + 1", Duration.ofSeconds(60)).path("status").asText(), k.log());
            assertTrue(k.log().contains("the kernel died before it was ready"), k.log());
            Path file = env.workDir().resolve(k.connectionFile()); // as given, or beside the driver
            JsonNode connection = JSON.readTree(file.toFile());
            int[] ephemeral = FreePort.ephemeralRange(FreePort.EPHEMERAL);
            for (String name : new String[] {"shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"}) {
                int p = connection.path(name).asInt();
                assertTrue(p < ephemeral[0] || p > ephemeral[1], name + " " + p + " is in the ephemeral range");
            }
        }
    }
}
