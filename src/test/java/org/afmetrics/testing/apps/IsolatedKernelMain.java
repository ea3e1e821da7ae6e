package org.afmetrics.testing.apps;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link LateKernelMain} (argument {@code connect}) in a class loader whose parent is the
 * platform loader: the kernel's classes cannot see anything on the system class path, the agent
 * jar included, as in kernels that isolate their classes. Its classpath comes from the system
 * property {@code kernel.classpath}.
 */
public final class IsolatedKernelMain {
    private IsolatedKernelMain() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("kernel.classpath").split(java.io.File.pathSeparator)) {
            urls.add(Paths.get(entry).toUri().toURL());
        }
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> main = isolated.loadClass(LateKernelMain.class.getName());
            main.getMethod("main", String[].class).invoke(null, (Object) new String[] {"connect"});
        }
    }
}
