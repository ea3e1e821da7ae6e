package org.afmetrics;

import java.lang.instrument.Instrumentation;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.HostSelection;
import org.afmetrics.exporter.ExporterServer;
import org.afmetrics.exporter.JdkServerSettings;
import org.afmetrics.facility.ExitActions;
import org.afmetrics.kernel.CellHooksMode;
import org.afmetrics.kernel.KernelHooks;
import org.afmetrics.kernel.KernelPresence;
import org.afmetrics.support.AgentProperties;
import org.afmetrics.support.AgentThreads;
import org.afmetrics.support.Log;

/**
 * The agent's start in this JVM: premain's part (settings, whether to serve, hooks ahead), then
 * on a daemon thread the data path that {@link Wiring} builds.
 */
public final class AgentRuntime {
    /** The exporter once started (guarded by the class). */
    private static ExporterServer started;

    private AgentRuntime() {
    }

    /**
     * The keys premain itself acts on: which JVMs serve, the cell hooks, what is armed for the
     * exit, the JDK server's settings for TLS. When neither the arguments nor the environment
     * name one of them, premain parses no settings (the starter thread does): a JVM that is no
     * kernel then loads a handful of the agent's classes before its main. AgentRuntimeTest holds
     * these names to {@link org.afmetrics.config.ConfigKey}'s.
     */
    static final String[] PREMAIN_KEYS = {
        "only-main", "skip-main", "cell-hooks", "cell-resources", "pushgateway", "targets-dir", "tls-keystore",
    };

    /**
     * Starts the agent in the background. At JVM start ({@code explicit} false) it first checks
     * that this JVM is one to monitor; an operator's attach is explicit and always serves.
     */
    static void launch(String args, Instrumentation instrumentation, boolean explicit) {
        String main = HostSelection.mainOf(System.getProperty("sun.java.command"));
        boolean kernelStarting = false;
        boolean kernelChecked = false;
        if (!explicit && !namesPremainKey(args)) {
            // every premain key at its default: serve unless the JVM is a tool, hook a kernel
            if (HostSelection.isBuiltInNonKernel(main)) {
                return;
            }
            if (instrumentation != null) {
                kernelStarting = KernelPresence.kernelMayAppear(main);
                kernelChecked = true;
            }
            if (!kernelStarting) {
                AgentThreads.start("start", new Starter(null, args, false));
                return;
            }
        }
        AgentConfig config = AgentConfig.fromEnvironment(args);
        if (!explicit && !HostSelection.isActive(main, config)) {
            return;
        }
        for (String w : config.warnings()) {
            Log.warn(w);
        }
        if (config.pushgateway().isPresent() || config.targetsDir().isPresent()) {
            // armed early, so a JVM that exits while the agent starts still pushes and cleans up;
            // called here rather than through Facility, whose loading in premain costs milliseconds
            ExitActions.arm(config.pushTimeoutMs());
        }
        CellHooksMode hooks = config.cellHooks();
        if (instrumentation != null && hooks.hooks()) {
            if (!kernelChecked) {
                kernelStarting = !explicit && KernelPresence.kernelMayAppear(main);
            }
            boolean watchAll = explicit || hooks == CellHooksMode.FORCE;
            if (watchAll || kernelStarting) {
                // the per-cell readings are chosen before any hook can run
                KernelHooks.measureCellResources(config.cellResources());
            }
            if (watchAll) {
                // the class watcher from now on, for kernel classes from any class loader; an
                // operator's attach also retransforms the kernel classes already loaded
                KernelHooks.install(instrumentation, explicit);
            } else if (kernelStarting) {
                // the kernel's classes are on the class path: hooked now, before the host's main
                // runs (so no hook can be late), and no class watcher on the kernel's start
                KernelHooks.hookAhead(instrumentation);
            }
        } else {
            kernelStarting = false;
        }
        // with TLS the JDK's server serves: set before the host's main can initialise its classes, which read it once
        if (config.tlsKeystore().isPresent()) {
            JdkServerSettings.noDelayUnlessSet();
        }
        // the starter is in the agent's thread group: so are the threads the JDK server starts from it
        AgentThreads.start("start", new Starter(config, args, kernelStarting));
    }

    /** Whether the agent arguments or the environment may set one of {@link #PREMAIN_KEYS} (a false yes only costs time). */
    static boolean namesPremainKey(String args) {
        for (String key : PREMAIN_KEYS) {
            if (args != null && args.indexOf(key) >= 0) {
                return true;
            }
            if (System.getenv("AF_METRICS_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_')) != null) {
                return true;
            }
        }
        return false;
    }

    /** Starts the exporter on the calling thread (once; later calls get the same) and says where it serves. */
    public static synchronized ExporterServer start(AgentConfig config) throws java.io.IOException {
        if (started != null) {
            return started;
        }
        try {
            started = Wiring.build(config);
            return started;
        } finally {
            ExitActions.startFinished();
        }
    }

    /**
     * The start off the host's main thread; a class, not a lambda, which premain would pay to link.
     * In a kernel that is starting, it first lets the kernel reach its first reply: on a machine
     * of few cores the exporter, hotspot collectors and identity would otherwise take their CPU
     * time from the kernel's start, which is what a user waits for. Nobody scrapes a kernel in
     * its first seconds (the target file appears once the exporter serves).
     */
    private static final class Starter implements Runnable {
        /** Longest wait for the kernel's first hook (a kernel version whose hooks are missing never calls one). */
        private static final long KERNEL_WAIT_MILLIS = 10_000;
        /** After the first hook: the kernel's reply to the request that called it. */
        private static final long REPLY_GRACE_MILLIS = 300;

        /** The settings premain parsed, or null when it left them to this thread. */
        private final AgentConfig parsed;
        private final String args;
        private final boolean kernelStarting;

        Starter(AgentConfig parsed, String args, boolean kernelStarting) {
            this.parsed = parsed;
            this.args = args;
            this.kernelStarting = kernelStarting;
        }

        @Override
        public void run() {
            try {
                AgentConfig config = parsed;
                if (config == null) {
                    config = AgentConfig.fromEnvironment(args);
                    for (String w : config.warnings()) {
                        Log.warn(w);
                    }
                }
                if (kernelStarting) {
                    KernelHooks.prepareRecorder();
                    if (KernelHooks.awaitKernel(KERNEL_WAIT_MILLIS)) {
                        Thread.sleep(REPLY_GRACE_MILLIS);
                    }
                }
                start(config);
            } catch (Throwable t) {
                Log.error("not exporting", t);
                AgentProperties.failed("not exporting: " + Log.describe(t));
            }
        }
    }
}
