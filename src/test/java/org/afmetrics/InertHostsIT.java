package org.afmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Jdks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JDK tools that inherit JAVA_TOOL_OPTIONS with the agent: no port, no output of the agent's. */
class InertHostsIT {
    @TempDir
    Path dir;

    private static final class Run {
        int exit;
        String out;
        String err;
    }

    private Run tool(String toolOptions, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jdks.current().resolve("bin").resolve(command[0]).toString());
        cmd.addAll(List.of(command).subList(1, command.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        if (toolOptions != null) {
            pb.environment().put("JAVA_TOOL_OPTIONS", toolOptions);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        Run r = new Run();
        r.out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        r.err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        r.exit = p.exitValue();
        return r;
    }

    @Test
    void javacKeytoolAndJpsWriteNothingButThePickedUpLine() throws Exception {
        String options = AgentJar.option("port=0");
        for (String[] command : new String[][] {{"javac", "-version"}, {"keytool", "-help"}, {"jps", "-q"}}) {
            Run bare = tool(null, command);
            Run with = tool(options, command);
            assertEquals(bare.exit, with.exit, command[0]);
            if (!command[0].equals("jps")) {
                assertEquals(bare.out, with.out, command[0]);
            }
            assertEquals("Picked up JAVA_TOOL_OPTIONS: " + options + "\n" + bare.err, with.err, command[0]);
            assertFalse(with.err.contains("[af-metrics]"));
        }
    }

    @Test
    void aLongRunningToolOpensNoPortWhileAKernelLikeMainDoes() throws Exception {
        int port = FreePort.find();
        String options = AgentJar.option("port=" + port);
        ProcessBuilder pb = new ProcessBuilder(Jdks.current().resolve("bin/jshell").toString(), "-q")
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_TOOL_OPTIONS", options);
        Process jshell = pb.start();
        try {
            // jshell waits on its stdin; give the agent, were it active, ample time to bind
            Thread.sleep(4000);
            assertTrue(jshell.isAlive());
            assertFalse(listening(port), "an inert agent opens no port");
        } finally {
            jshell.getOutputStream().close();
            if (!jshell.waitFor(30, TimeUnit.SECONDS)) {
                jshell.destroyForcibly();
            }
        }
        String output = new String(jshell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertFalse(output.contains("[af-metrics]"), output);

        try (org.afmetrics.testing.ChildJvm.Running kernelLike = org.afmetrics.testing.ChildJvm
                .main(org.afmetrics.testing.apps.SleepMain.class, "60000").agent("port=" + port).start()) {
            kernelLike.awaitExporterUrl(java.time.Duration.ofSeconds(30));
            assertTrue(listening(port), "the same agent arguments do open the port in a kernel-like JVM");
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
