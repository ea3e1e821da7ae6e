package org.afmetrics.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks made before attaching. The JDK's attach client wakes the target with SIGQUIT: a
 * process that is no JVM, or a JVM so young it has not installed its handler yet, would be
 * killed by that signal. So: attach only to a JVM that already catches SIGQUIT.
 */
final class JvmProcess {
    private static final int SIGQUIT = 3;

    private JvmProcess() {
    }

    /** Whether the process runs a HotSpot JVM: libjvm mapped (Linux), else listed by the JDK. */
    static boolean isJvm(long pid) {
        Path maps = Paths.get("/proc", Long.toString(pid), "maps");
        if (Files.isReadable(maps)) {
            try (Stream<String> lines = Files.lines(maps)) {
                return lines.anyMatch(l -> l.endsWith("/libjvm.so"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return listed(pid);
            }
        }
        return listed(pid);
    }

    private static boolean listed(long pid) {
        String id = Long.toString(pid);
        List<VirtualMachineDescriptor> vms = VirtualMachine.list();
        return vms.stream().anyMatch(d -> d.id().equals(id));
    }

    /**
     * Whether the process has installed a SIGQUIT handler (Linux's /proc status); true where
     * that cannot be read, as the JDK's own tools assume.
     */
    static boolean catchesQuit(long pid) {
        Path status = Paths.get("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return true;
        }
        try (Stream<String> lines = Files.lines(status)) {
            return lines.filter(l -> l.startsWith("SigCgt:")).findFirst()
                    .map(l -> (Long.parseUnsignedLong(l.substring("SigCgt:".length()).trim(), 16)
                            & (1L << (SIGQUIT - 1))) != 0)
                    .orElse(true);
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Waits until the JVM catches SIGQUIT; false when it does not within the time given. */
    static boolean awaitReady(long pid, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!catchesQuit(pid)) {
            if (System.currentTimeMillis() > deadline || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
