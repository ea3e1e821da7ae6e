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
import org.afmetrics.AgentProperties;

/**
 * {@code attach PID [AGENT-ARGS]}: loads the agent into a running JVM (a kernel that started
 * without it) through the JDK's attach API, and prints where it serves. A JVM that already has
 * the agent keeps its exporter; the command says where that one serves.
 */
final class AttachCommand {
    private static final long WAIT_MILLIS = 20_000;

    private AttachCommand() {
    }

    static int run(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -jar af-metrics-agent.jar attach PID [AGENT-ARGS]");
            return 2;
        }
        long pid;
        try {
            pid = Long.parseLong(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("attach: '" + args[0] + "' is not a process id");
            return 2;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            System.err.println("attach: no process " + pid);
            return 1;
        }
        String me = System.getProperty("user.name");
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(me) && !"root".equals(me)) {
            System.err.println("attach: process " + pid + " belongs to " + owner.get() + ", not to " + me
                    + "; only its owner can attach");
            return 1;
        }
        if (!JvmProcess.isJvm(pid)) {
            System.err.println("attach: process " + pid + " (" + process.get().info().command().orElse("?")
                    + ") is not a JVM");
            return 1;
        }
        try {
            if (!JvmProcess.awaitReady(pid, 10_000)) {
                System.err.println("attach: the JVM " + pid + " is not ready for attaching (it handles no SIGQUIT;"
                        + " started with -Xrs, or still starting?)");
                return 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            System.err.println("attach: process " + pid + " is not a JVM this JDK can attach to ("
                    + e.getMessage() + ")");
            return 1;
        }
        try {
            String existing = AgentProperties.url(vm.getSystemProperties());
            if (existing != null) {
                System.out.println("already exporting on " + existing + " (pid " + pid + "); no second exporter");
                return 0;
            }
            vm.loadAgent(ownJar().toString(), args.length > 1 ? args[1] : "");
            return awaitExporter(vm, pid);
        } catch (AgentLoadException | com.sun.tools.attach.AgentInitializationException e) {
            System.err.println("attach: the JVM " + pid + " refused the agent (" + e.getMessage()
                    + "); it needs Java 11 or newer");
            return 1;
        } catch (IOException | RuntimeException | URISyntaxException e) {
            System.err.println("attach: " + e);
            return 1;
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
                return 0;
            }
            String error = p.getProperty(AgentProperties.ERROR);
            if (error != null) {
                System.err.println("attach: the agent loaded into " + pid + " but is " + error);
                return 1;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        System.err.println("attach: the agent loaded into " + pid + " but did not report an exporter within "
                + WAIT_MILLIS / 1000 + " s; see that process's stderr");
        return 1;
    }

    static Path ownJar() throws URISyntaxException {
        return Paths.get(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toAbsolutePath();
    }
}
