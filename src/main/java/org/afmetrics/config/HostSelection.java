package org.afmetrics.config;

/**
 * Decides whether the agent serves in this JVM. {@code JAVA_TOOL_OPTIONS} reaches every JVM a
 * kernel or its launcher starts; in JDK tools, build tools and launchers whose child JVM is the
 * real kernel the agent stays inert: no port, no file, no output.
 * <p>
 * Premain asks this class before any other of the agent's, so it lives in the agent jar itself,
 * beside {@link org.afmetrics.Agent}, and names nothing but JDK types (docs/design.md, the jar's
 * layout): an inert JVM loads these two classes and nothing more of the agent.
 */
public final class HostSelection {
    /** Main classes (or class prefixes ending in '.') of JVMs that are never a kernel. */
    private static final String[] NOT_A_KERNEL = {
        "org.codehaus.plexus.classworlds.launcher.Launcher", // Maven
        "org.apache.maven.wrapper.MavenWrapperMain",
        "org.gradle.",                                        // Gradle, its wrapper and daemons
        "worker.org.gradle.",
        "org.dflib.jjava.launcher.",                          // JJava's launcher starts the kernel JVM
        "almond.launcher.",                                   // Almond's launcher likewise
        "jdk.jshell.execution.RemoteExecutionControl",        // JShell's remote agent
        "com.sun.tools.javac.Main",
        "sun.tools.",
        "sun.security.tools.",
    };
    private static final String[] NOT_A_KERNEL_JARS = {
        "gradle-wrapper.jar", "maven-wrapper.jar", "jjava-launcher", "almond-launcher", "plexus-classworlds",
        "af-metrics-agent", // the agent jar's own commands (kernelspec, targets, ...) never export
    };

    /** The JDK's single-file source launcher ({@code java Hello.java}): JDK 11-21, then 22 on. */
    private static final String[] SOURCE_LAUNCHERS = {
        "jdk.compiler/com.sun.tools.javac.launcher.Main",
        "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher",
    };

    /** The keys that change which JVMs serve: without them a JDK or build tool is passed over at once. */
    public static final String[] SELECTION_KEYS = {"only-main", "skip-main"};

    /**
     * The keys premain itself acts on: which JVMs serve, the cell hooks, the push armed for the
     * exit, the JDK server's settings for TLS. When neither the arguments nor the environment
     * name one of them, premain loads no more of the agent (a thread does, beside the host's
     * main) unless a kernel is to be hooked. HostSelectionTest holds these names to ConfigKey's.
     */
    public static final String[] PREMAIN_KEYS = {
        "only-main", "skip-main", "cell-hooks", "cell-resources", "pushgateway", "tls-keystore",
    };

    private HostSelection() {
    }

    /** Whether the agent arguments or the environment may set one of {@link #PREMAIN_KEYS} (a false yes only costs time). */
    public static boolean namesPremainKey(String args) {
        return namesOneOf(PREMAIN_KEYS, args);
    }

    /** Whether the agent arguments or the environment may set one of the keys (a false yes only costs time). */
    public static boolean namesOneOf(String[] keys, String args) {
        for (String key : keys) {
            if (args != null && args.indexOf(key) >= 0) {
                return true;
            }
            if (System.getenv("AF_METRICS_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_')) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The main of a JVM from its {@code sun.java.command}: the main class, {@code module/class}, or
     * the jar path; empty when there is none (e.g. {@code java -version}). For {@code java Hello.java}
     * it is the source file: the JDK module that compiles and runs it is no tool of its own, the
     * program is the user's.
     */
    public static String mainOf(String sunJavaCommand) {
        if (sunJavaCommand == null) {
            return "";
        }
        String[] words = sunJavaCommand.trim().split(" ", 3);
        for (String launcher : SOURCE_LAUNCHERS) {
            if (words[0].equals(launcher) && words.length > 1 && !words[1].isEmpty()) {
                return words[1];
            }
        }
        return words[0];
    }

    /** Whether the main is a JDK tool, build tool or launcher that is never a kernel (the default without only-main or skip-main). */
    public static boolean isBuiltInNonKernel(String main) {
        if (main.isEmpty()) {
            return true;
        }
        int slash = main.indexOf('/');
        if (slash > 0 && !main.endsWith(".jar")) {
            String module = main.substring(0, slash);
            // the java launcher names JDK tools module/class (jdk.jcmd/sun.tools.jps.Jps, ...)
            if (module.startsWith("jdk.") || module.startsWith("java.")) {
                return true;
            }
        }
        if (main.endsWith(".jar")) {
            String base = main.substring(Math.max(main.lastIndexOf('/'), main.lastIndexOf('\\')) + 1);
            for (String jar : NOT_A_KERNEL_JARS) {
                if (base.startsWith(jar)) {
                    return true;
                }
            }
            return false;
        }
        for (String prefix : NOT_A_KERNEL) {
            if (prefix.endsWith(".") ? main.startsWith(prefix) : main.equals(prefix)) {
                return true;
            }
        }
        return false;
    }
}
