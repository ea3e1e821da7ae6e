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
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.Jdks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JDK tools that inherit JAVA_TOOL_OPTIONS with the agent: no port, no output of the agent's. */
class InertHostsIT {
    @TempDir
    Path dir;

    /** A JDK tool run in the test's directory, with JAVA_TOOL_OPTIONS set to the options unless they are null. */
    private AgentCli.Result tool(String toolOptions, String... command) throws IOException, InterruptedException {
        AgentCli tool = AgentCli.jdkTool(command[0], Arrays.copyOfRange(command, 1, command.length)).workDir(dir);
        if (toolOptions != null) {
            tool.env("JAVA_TOOL_OPTIONS", toolOptions);
        }
        return tool.run();
    }

    @Test
    void javacKeytoolAndJpsWriteNothingButThePickedUpLine() throws Exception {
        String options = AgentJar.option("port=0");
        for (String[] command : new String[][] {{"javac", "-version"}, {"keytool", "-help"}, {"jps", "-q"}}) {
            AgentCli.Result bare = tool(null, command);
            AgentCli.Result with = tool(options, command);
            assertEquals(bare.exitCode, with.exitCode, command[0]);
            if (!command[0].equals("jps")) {
                assertEquals(bare.stdout, with.stdout, command[0]);
            }
            assertEquals("Picked up JAVA_TOOL_OPTIONS: " + options + "\n" + bare.stderr, with.stderr, command[0]);
            assertFalse(with.stderr.contains("[af-metrics]"));
        }
    }

    /**
     * A JVM the agent does not monitor loads two classes of the agent's (the entry and the host
     * check) and nothing of its runtime, whose nested jar it never reads.
     */
    @Test
    void javacLoadsOnlyTheAgentsEntryAndHostCheck() throws Exception {
        Path log = dir.resolve("classes.log");
        AgentCli.Result with = tool(AgentJar.option("port=0") + " -Xlog:class+load:file=" + log, "javac", "-version");
        assertEquals(0, with.exitCode, with.stderr);
        java.util.List<String> ours = java.nio.file.Files.readAllLines(log).stream()
                .filter(l -> l.contains(" org.afmetrics."))
                .map(l -> l.replaceAll("^.*? (org\\.afmetrics\\.\\S+) .*$", "$1"))
                .sorted().collect(java.util.stream.Collectors.toList());
        assertEquals(java.util.List.of("org.afmetrics.Agent", "org.afmetrics.config.HostSelection"), ours);
    }

    /** {@code java Hello.java} runs the user's own program: the agent serves there, on JDK 17 and 25 alike. */
    @ParameterizedTest
    @ValueSource(strings = {"current", "temurin25"})
    void aProgramRunFromItsSourceFileHasTheAgentActive(String jdk) throws Exception {
        java.nio.file.Path home = jdk.equals("current") ? Jdks.current() : Jdks.temurin25OrSkip();
        java.nio.file.Files.writeString(dir.resolve("Hello.java"), "public class Hello {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + "        for (int i = 0; i < 300 && System.getProperty(\"afmetrics.url\") == null; i++) Thread.sleep(100);\n"
                + "        System.out.println(\"exporter: \" + System.getProperty(\"afmetrics.url\"));\n"
                + "    }\n}\n");
        ProcessBuilder pb = new ProcessBuilder(Jdks.java(home), "Hello.java").directory(dir.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().keySet().removeIf(k -> k.startsWith("AF_METRICS_"));
        pb.environment().put("JAVA_TOOL_OPTIONS", AgentJar.option("port=0"));
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.matches("(?s).*exporter: http://127\\.0\\.0\\.1:\\d+/metrics.*"), out);
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
