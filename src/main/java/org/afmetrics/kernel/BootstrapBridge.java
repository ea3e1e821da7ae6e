package org.afmetrics.kernel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.afmetrics.Log;

/**
 * Puts {@code org.afmetrics.kernel.bridge} on the bootstrap class path. The woven kernel code
 * calls the bridge from the kernel's own class loader; the agent jar is only on the system class
 * loader, which a kernel's loader need not reach, but every loader reaches the bootstrap one.
 * The bridge classes are copied from the agent jar into a small temporary jar (deleted on exit)
 * because the JDK takes bootstrap additions as jar files only. Must run before anything loads
 * the bridge through the system loader.
 */
final class BootstrapBridge {
    static final String[] CLASSES = {
            "org/afmetrics/kernel/bridge/CellBridge.class",
            "org/afmetrics/kernel/bridge/CellBridge$Sink.class"};

    private BootstrapBridge() {
    }

    /** True when the bridge now resolves through the bootstrap loader. */
    static boolean install(Instrumentation inst) {
        File jar = null;
        try {
            jar = File.createTempFile("af-metrics-bridge-", ".jar");
            jar.deleteOnExit();
            try (OutputStream out = Files.newOutputStream(jar.toPath());
                    JarOutputStream jos = new JarOutputStream(out)) {
                for (String name : CLASSES) {
                    try (InputStream in = BootstrapBridge.class.getClassLoader().getResourceAsStream(name)) {
                        if (in == null) {
                            throw new IOException(name + " missing from the agent jar");
                        }
                        jos.putNextEntry(new JarEntry(name));
                        in.transferTo(jos);
                        jos.closeEntry();
                    }
                }
            }
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            return true;
        } catch (IOException | RuntimeException e) {
            if (jar != null && !jar.delete()) {
                jar.deleteOnExit();
            }
            Log.warn("cell hook bridge stays on the system class path (" + Log.describe(e)
                    + "); kernels in isolated class loaders are not measured");
            return false;
        }
    }
}
