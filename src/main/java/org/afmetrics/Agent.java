package org.afmetrics;

import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry. It only hands over to {@link AgentRuntime} on a daemon thread;
 * nothing it does can throw into the host or delay the host's {@code main}.
 */
public final class Agent {
    private Agent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation);
    }

    private static void launch(String args, Instrumentation instrumentation) {
        try {
            AgentRuntime.launch(args, instrumentation);
        } catch (Throwable t) {
            try {
                Log.error("could not start", t);
            } catch (Throwable ignored) {
                // stderr itself failed: there is nobody left to tell
            }
        }
    }
}
