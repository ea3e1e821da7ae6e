package org.afmetrics.kernel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.afmetrics.support.Log;

/**
 * Makes sure the bridge the advice calls resolves from a kernel class's loader and feeds the
 * recorder. Usually that loader reaches the agent jar on the system class path and nothing more
 * is done. A loader that cannot reach it gets the bridge on the bootstrap class path (copied
 * from the agent jar into a small temporary jar, as the JDK takes bootstrap additions as jars
 * only). That is kept for this case alone because the JVM then stops sharing (CDS) non-boot
 * classes and says so on stderr.
 */
final class BridgeLocator {
    static final String BRIDGE = "org.afmetrics.kernel.bridge.CellBridge";
    private static final String RESOURCE = BRIDGE.replace('.', '/') + ".class";

    private final Instrumentation inst;
    private final BiConsumer<Integer, Object> sink;
    private final Set<Class<?>> connected = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean appended;

    BridgeLocator(Instrumentation inst, BiConsumer<Integer, Object> sink) {
        this.inst = inst;
        this.sink = sink;
    }

    /**
     * As {@link #connect(ClassLoader)}, for a class of {@code module}: a named module (a JDK
     * module such as jdk.jshell) is also made to read the bridge's module, which named modules do
     * not by default.
     */
    synchronized boolean connect(Module module, ClassLoader loader) {
        if (!connect(loader)) {
            return false;
        }
        if (module == null || !module.isNamed()) {
            return true;
        }
        Module bridgeModule = find(loader).getModule();
        if (!module.canRead(bridgeModule)) {
            try {
                inst.redefineModule(module, Collections.singleton(bridgeModule), Collections.emptyMap(),
                        Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
            } catch (RuntimeException e) {
                Log.warn("cell hooks not connected to module " + module.getName() + ": " + Log.describe(e));
                return false;
            }
        }
        return true;
    }

    /** True when code in {@code loader} reaches a bridge that feeds the recorder. */
    synchronized boolean connect(ClassLoader loader) {
        Class<?> bridge = find(loader);
        if (bridge == null && !appended) {
            appended = true;
            if (appendToBootstrap()) {
                bridge = find(loader);
            }
        }
        if (bridge == null) {
            return false;
        }
        if (!connected.contains(bridge)) {
            try {
                bridge.getMethod("install", BiConsumer.class).invoke(null, sink);
            } catch (ReflectiveOperationException | RuntimeException e) {
                Log.warn("cell hooks not connected: " + Log.describe(e));
                return false;
            }
            connected.add(bridge);
        }
        return true;
    }

    private static Class<?> find(ClassLoader loader) {
        try {
            return Class.forName(BRIDGE, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private boolean appendToBootstrap() {
        File jar = null;
        try {
            jar = File.createTempFile("af-metrics-bridge-", ".jar");
            jar.deleteOnExit();
            try (OutputStream out = Files.newOutputStream(jar.toPath());
                    JarOutputStream jos = new JarOutputStream(out);
                    InputStream in = BridgeLocator.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException(RESOURCE + " missing from the agent jar");
                }
                jos.putNextEntry(new JarEntry(RESOURCE));
                in.transferTo(jos);
                jos.closeEntry();
            }
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            return true;
        } catch (IOException | RuntimeException e) {
            if (jar != null && !jar.delete()) {
                jar.deleteOnExit();
            }
            Log.warn("cell hooks unavailable for a kernel class loader that does not see the agent: "
                    + Log.describe(e));
            return false;
        }
    }
}
