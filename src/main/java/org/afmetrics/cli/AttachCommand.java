package org.afmetrics.cli;

import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.afmetrics.support.AgentProperties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code attach PID [AGENT-ARGS]}: loads the agent into a running JVM (a kernel that started
 * without it) through the JDK's attach API, and prints where it serves. A JVM that already has
 * the agent keeps its exporter; the command says where that one serves.
 */
@Command(name = "attach", header = "Load the agent into a running JVM (same keys as -javaagent).", mixinStandardHelpOptions = true,
        description = {"Load the agent into a running JVM of yours (a kernel started without it) and print",
                "where it exports. A JVM that already has the agent keeps its exporter."})
final class AttachCommand implements Callable<Integer> {
    private static final long WAIT_MILLIS = 20_000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "the JVM's process id")
    long pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "AGENT-ARGS",
            description = "key=value,... as after -javaagent:af-metrics-agent.jar= (keys: see --help of the tool)")
    String agentArgs;

    @Override
    public Integer call() {
        // the same check as kernelspec install --agent-args: an agent that would only warn is not loaded
        AgentArgs.check(spec.commandLine(), "AGENT-ARGS", agentArgs, "nothing attached");
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            System.err.println("attach: no process " + pid);
            return Main.FAILED;
        }
        String me = System.getProperty("user.name");
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(me) && !"root".equals(me)) {
            System.err.println("attach: process " + pid + " belongs to " + owner.get() + ", not to " + me
                    + "; only its owner can attach");
            return Main.FAILED;
        }
        if (!JvmProcess.isJvm(pid)) {
            System.err.println("attach: process " + pid + " (" + process.get().info().command().orElse("?")
                    + ") is not a JVM");
            return Main.FAILED;
        }
        try {
            if (!JvmProcess.awaitReady(pid, 10_000)) {
                System.err.println("attach: the JVM " + pid + " is not ready for attaching (it handles no SIGQUIT;"
                        + " started with -Xrs, or still starting?)");
                return Main.FAILED;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILED;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            System.err.println("attach: process " + pid + " is not a JVM this JDK can attach to ("
                    + e.getMessage() + ")");
            return Main.FAILED;
        }
        try {
            String existing = AgentProperties.url(vm.getSystemProperties());
            if (existing != null) {
                System.out.println("already exporting on " + existing + " (pid " + pid + "); no second exporter");
                return Main.OK;
            }
            vm.loadAgent(ownJar().toString(), agentArgs == null ? "" : agentArgs);
            return awaitExporter(vm, pid);
        } catch (AgentLoadException | com.sun.tools.attach.AgentInitializationException e) {
            System.err.println("attach: the JVM " + pid + " refused the agent (" + e.getMessage()
                    + "); it needs Java 11 or newer");
            return Main.FAILED;
        } catch (IOException | RuntimeException | URISyntaxException e) {
            System.err.println("attach: " + e);
            return Main.FAILED;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target is gone; nothing to release
            }
        }
    }

    private static int awaitExporter(VirtualMachine vm, long pid) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            Properties p = vm.getSystemProperties();
            String url = AgentProperties.url(p);
            if (url != null) {
                System.out.println("exporting on " + url + " (pid " + pid + ", user "
                        + p.getProperty(AgentProperties.USER) + ", session " + p.getProperty(AgentProperties.SESSION) + ")");
                return Main.OK;
            }
            String error = p.getProperty(AgentProperties.ERROR);
            if (error != null) {
                System.err.println("attach: the agent loaded into " + pid + " but is " + error);
                return Main.FAILED;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.FAILED;
            }
        }
        System.err.println("attach: the agent loaded into " + pid + " but did not report an exporter within "
                + WAIT_MILLIS / 1000 + " s; see that process's stderr");
        return Main.FAILED;
    }

    static Path ownJar() throws URISyntaxException {
        return Paths.get(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toAbsolutePath();
    }
}
