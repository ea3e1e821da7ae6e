package org.afmetrics.boot;

import java.io.IOException;
import java.io.InputStream;

/**
 * The agent's runtime class loader: the nested runtime jar read once, in memory, from the agent
 * jar the JVM already has open, its parent the loader of the agent's entry class. Premain and a
 * later attach share it, so one JVM runs one agent. A class apart from {@code Agent} so that
 * verifying the entry class, which every JVM under the agent does, loads none of this.
 */
public final class RuntimeLoader {
    /** Guarded by the class. */
    private static NestedJarLoader loader;

    private RuntimeLoader() {
    }

    /** The loader of the jar stored as entry {@code nested} of {@code entry}'s jar, made on the first call. */
    public static synchronized ClassLoader get(Class<?> entry, String nested) throws IOException {
        if (loader == null) {
            ClassLoader outer = entry.getClassLoader();
            byte[] jar;
            try (InputStream in = outer.getResourceAsStream(nested)) {
                if (in == null) {
                    throw new IOException(nested + " is missing from the agent jar");
                }
                jar = in.readAllBytes();
            }
            loader = new NestedJarLoader("af-metrics", jar, entry.getProtectionDomain().getCodeSource().getLocation(), outer);
        }
        return loader;
    }
}
