package org.afmetrics;

import java.lang.instrument.Instrumentation;
import org.afmetrics.support.Log;

/**
 * The {@code -javaagent} entry. Nothing it does can throw into the host. Before the host's
 * {@code main} it reads the settings, decides whether to serve in this JVM and, in a kernel, weaves
 * the kernel's hooks ahead (a few milliseconds, measured in BENCHMARKS.md); {@link AgentRuntime}
 * starts everything else on a daemon thread.
 */
public final class Agent {
    private Agent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation, false);
    }

    /** Loaded into a running JVM by {@code java -jar af-metrics-agent.jar attach PID}. */
    public static void agentmain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation, true);
    }

    private static void launch(String args, Instrumentation instrumentation, boolean attached) {
        try {
            AgentRuntime.launch(args, instrumentation, attached);
        } catch (Throwable t) {
            try {
                Log.error("could not start", t);
            } catch (Throwable ignored) {
                // stderr itself failed: there is nobody left to tell
            }
        }
    }
}
