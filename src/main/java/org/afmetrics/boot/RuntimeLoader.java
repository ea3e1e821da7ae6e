package org.afmetrics.boot;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The agent's runtime class loader: the nested runtime jar read once, in memory, from the agent
 * jar (which the JVM already has open), its parent the loader of the agent's entry class. Premain and a
 * later attach share it, so one JVM runs one agent. A class apart from {@code Agent} so that
 * verifying the entry class, which every JVM under the agent does, loads none of this.
 */
public final class RuntimeLoader {
    /** Guarded by the class. */
    private static NestedJarLoader loader;

    private RuntimeLoader() {
    }

    /**
     * Calls {@code method(String, Instrumentation, boolean)} of the runtime's class
     * {@code entryClass}, loaded from the jar stored as entry {@code nested} of {@code entry}'s jar.
     */
    public static void launch(Class<?> entry, String nested, String entryClass, String method, String args,
            Instrumentation instrumentation, boolean attached) throws Exception {
        Class<?> runtime = Class.forName(entryClass, true, get(entry, nested));
        try {
            runtime.getMethod(method, String.class, Instrumentation.class, boolean.class)
                    .invoke(null, args, instrumentation, attached);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    /** The loader of the jar stored as entry {@code nested} of {@code entry}'s jar, made on the first call. */
    private static synchronized ClassLoader get(Class<?> entry, String nested) throws IOException {
        if (loader == null) {
            loader = NestedJarLoader.ofEntry("af-metrics", entry, nested, entry.getClassLoader());
        }
        return loader;
    }
}
