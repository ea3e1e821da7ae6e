package org.afmetrics.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

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
    public static synchronized ClassLoader get(Class<?> entry, String nested) throws IOException {
        if (loader == null) {
            URL agentJar = entry.getProtectionDomain().getCodeSource().getLocation();
            byte[] jar;
            // the jar file itself, not the class loader's resource lookup: that searches every
            // module of the JDK before the class path, a cost a short JVM would see in its wall time.
            // The JDK shares the already open jar (same file, same modification time) with this JarFile.
            try (JarFile outer = new JarFile(new File(agentJar.toURI()), false)) {
                ZipEntry e = outer.getEntry(nested);
                if (e == null) {
                    throw new IOException(nested + " is missing from the agent jar");
                }
                try (InputStream in = outer.getInputStream(e)) {
                    jar = in.readAllBytes();
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("the agent jar is not a file: " + e.getMessage(), e);
            }
            loader = new NestedJarLoader("af-metrics", jar, agentJar, entry.getClassLoader());
        }
        return loader;
    }
}
