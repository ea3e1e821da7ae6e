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
     * The agent's start where premain has work of its own (a kernel to hook, a key premain acts
     * on) or an operator attaches; called by {@link Agent} once the runtime is loaded, and throws
     * nothing. At JVM start ({@code explicit} false) it first checks that this JVM is one to
     * monitor; an operator's attach is explicit and always serves.
     */
    public static void launch(String args, Instrumentation instrumentation, boolean explicit) {
        try {
            launchOrThrow(args, instrumentation, explicit);
        } catch (Throwable t) {
            report(t);
        }
    }

    /**
     * The agent's start in a JVM that needs nothing of it before its main (premain found no
     * kernel and no key it acts on): the starter parses the settings. Called by {@link Agent} on
     * its own thread, beside the host's main; throws nothing.
     */
    public static void launchBeside(String args, Instrumentation instrumentation, boolean explicit) {
        try {
            AgentThreads.start("start", new Starter(null, args, false));
        } catch (Throwable t) {
            report(t);
        }
    }

    private static void report(Throwable t) {
        try {
            Log.error("could not start", t);
        } catch (Throwable ignored) {
            // stderr itself failed: there is nobody left to tell
        }
    }

    static void launchOrThrow(String args, Instrumentation instrumentation, boolean explicit) {
        String main = HostSelection.mainOf(System.getProperty("sun.java.command"));
        AgentConfig config = AgentConfig.fromEnvironment(args);
        if (!explicit && !config.servesIn(main)) {
            return;
        }
        for (String w : config.warnings()) {
            Log.warn(w);
        }
        if (config.pushgateway().isPresent()) {
            // armed early, so a JVM that exits while the agent starts still pushes; called here
            // rather than through Facility, whose loading in premain costs milliseconds
            ExitActions.arm(config.pushTimeoutMs(), true);
        }
        CellHooksMode hooks = config.cellHooks();
        boolean kernelStarting = false;
        if (instrumentation != null && hooks.hooks()) {
            kernelStarting = !explicit && KernelPresence.kernelMayAppear(main);
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
        }
        // with TLS the JDK's server serves: set before the host's main can initialise its classes, which read it once
        if (config.tlsKeystore().isPresent()) {
            JdkServerSettings.noDelayUnlessSet();
        }
        // the starter is in the agent's thread group: so are the threads the JDK server starts from it
        AgentThreads.start("start", new Starter(config, args, kernelStarting));
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
