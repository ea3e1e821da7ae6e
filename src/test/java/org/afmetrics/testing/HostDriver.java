package org.afmetrics.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Talks to a host application that reads commands on its standard input (see apps.ScriptedHostMain). */
public final class HostDriver {
    private HostDriver() {
    }

    public static void send(ChildJvm.Running jvm, String line) throws IOException {
        OutputStream in = jvm.process().getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The agent's lines on stderr. */
    public static List<String> agentLines(ChildJvm.Running jvm) {
        return jvm.stderrLines().stream().filter(l -> l.startsWith("[af-metrics]")).collect(Collectors.toList());
    }

    /** The agent's lines other than the one saying where it exports: what it had to say about problems. */
    public static List<String> agentComplaints(ChildJvm.Running jvm) {
        return agentLines(jvm).stream().filter(l -> !l.startsWith("[af-metrics] exporting on "))
                .collect(Collectors.toList());
    }

    /** Stderr without the agent's lines: what the host itself printed there. */
    public static List<String> hostStderr(ChildJvm.Running jvm) {
        return jvm.stderrLines().stream().filter(l -> !l.startsWith("[af-metrics]")).collect(Collectors.toList());
    }
}
