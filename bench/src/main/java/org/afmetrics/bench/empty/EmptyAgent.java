package org.afmetrics.bench.empty;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: what the JVM alone charges for {@code -javaagent}. */
public final class EmptyAgent {
    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
    }
}
