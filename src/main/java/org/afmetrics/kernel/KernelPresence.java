package org.afmetrics.kernel;

import java.io.File;
import java.util.Locale;
import java.util.jar.JarFile;

/**
 * Whether a hooked kernel can appear in this JVM, asked once in premain. A class of its own,
 * apart from {@link KernelHooks}: a JVM that is no kernel loads this and the hook table, and
 * nothing of the recorder or the metrics.
 * <p>
 * It reads the command line and the class path, and touches no class loader: asking the system
 * class loader for the hooked classes as resources makes it search every module of the JDK for
 * them first, about 7 ms a JVM that is no kernel would pay.
 */
public final class KernelPresence {
    /** Main classes of the kernels whose classes the hook table names: their JVMs need the hooks. */
    static final String[] KERNEL_MAINS = {
        "org.jetbrains.kotlinx.jupyter.IkotlinKt",
        "io.github.spencerpark.ijava.IJava",
        "org.dflib.jjava.JJava",
    };

    /**
     * The classes {@link HookPoints} hooks (internal names), kept here as plain strings: asking the
     * hook table would load it and its row classes in every JVM the agent serves, kernel or not.
     * KernelPresenceTest holds the two lists equal.
     */
    static final String[] HOOKED_CLASSES = {
        "io/github/spencerpark/jupyter/kernel/BaseKernel",
        "io/github/spencerpark/jupyter/messages/reply/ErrorReply",
        "jdk/jshell/execution/LocalExecutionControl",
        "org/dflib/jjava/jupyter/kernel/BaseKernel",
        "org/dflib/jjava/jupyter/messages/reply/ErrorReply",
        "org/jetbrains/kotlinx/jupyter/JupyterConnection",
        "org/jetbrains/kotlinx/jupyter/JupyterConnection$runExecution$execThread$1",
        "org/jetbrains/kotlinx/jupyter/JupyterExecutorImpl",
        "org/jetbrains/kotlinx/jupyter/JupyterExecutorImpl$runExecution$execThread$1",
        "org/jetbrains/kotlinx/jupyter/messaging/ProtocolKt",
    };

    /** File names of the kernels' jars (Maven artifacts and distributions), lower case. */
    private static final String[] KERNEL_JARS = {"jupyter-jvm-basekernel", "jjava", "ijava", "kotlin-jupyter-kernel"};

    private KernelPresence() {
    }

    /**
     * True when the main class (from {@code sun.java.command}) is a known kernel's; or a jar of
     * a kernel is on the class path (by its file name); or a class path directory, or the jar
     * run with {@code java -jar}, holds a hooked class. A kernel whose classes come otherwise
     * (repackaged under another jar name, or through a class loader of its own) is not seen
     * here: {@code cell-hooks=force} is for that.
     */
    public static boolean kernelMayAppear(String main) {
        for (String kernelMain : KERNEL_MAINS) {
            if (kernelMain.equals(main)) {
                return true;
            }
        }
        String classPath = System.getProperty("java.class.path", "");
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            File f = new File(entry);
            if (f.isDirectory()) {
                for (String hooked : HOOKED_CLASSES) {
                    if (new File(f, hooked + ".class").isFile()) {
                        return true;
                    }
                }
            } else if (isKernelJarName(f.getName()) || (entry.equals(main) && holdsHookedClass(f))) {
                return true;
            }
        }
        return false;
    }

    static boolean isKernelJarName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (!name.endsWith(".jar")) {
            return false;
        }
        for (String kernel : KERNEL_JARS) {
            if (name.startsWith(kernel)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsHookedClass(File jar) {
        try (JarFile j = new JarFile(jar)) {
            for (String hooked : HOOKED_CLASSES) {
                if (j.getEntry(hooked + ".class") != null) {
                    return true;
                }
            }
        } catch (Exception e) {
            // unreadable, or no jar: no kernel of ours in it (Exception, not IOException: verifying
            // this class then loads no exception class that the JDK's class-data archive lacks)
            return false;
        }
        return false;
    }
}
