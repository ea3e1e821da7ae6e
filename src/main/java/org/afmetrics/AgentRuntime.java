package org.afmetrics;

import java.lang.instrument.Instrumentation;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.config.HostSelection;
import org.afmetrics.exporter.ExporterServer;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.facility.ExitActions;
import org.afmetrics.facility.Facility;
import org.afmetrics.kernel.KernelHooks;

/**
 * The running agent: one per JVM. Wires the data path (notebook JSON and JVM collectors into
 * the labelled registry, the registry behind the HTTP server) on a daemon thread.
 */
public final class AgentRuntime {
    private static volatile AgentRuntime current;

    private final AgentConfig config;
    private final LabelledRegistry registry;
    private final ExporterServer server;

    AgentRuntime(AgentConfig config, LabelledRegistry registry, ExporterServer server) {
        this.config = config;
        this.registry = registry;
        this.server = server;
    }

    /** The agent running in this JVM, or null while it starts or when it could not. */
    public static AgentRuntime current() {
        return current;
    }

    /**
     * Starts the agent in the background. At JVM start ({@code explicit} false) it first checks
     * that this JVM is one to monitor; an operator's attach is explicit and always serves.
     */
    static void launch(String args, Instrumentation instrumentation, boolean explicit) {
        AgentConfig config = AgentConfig.fromEnvironment(args);
        String main = HostSelection.mainOf(System.getProperty("sun.java.command"));
        if (!explicit && !HostSelection.isActive(main, config)) {
            return;
        }
        for (String w : config.warnings()) {
            Log.warn(w);
        }
        Facility.prepare(config);
        if (instrumentation != null && wantsCellHooks(config, main, explicit)) {
            // before the host's main runs, so the kernel classes are seen as they load
            KernelHooks.install(instrumentation, explicit);
        }
        Thread starter = new Thread(new Starter(config), "af-metrics-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * The class watcher costs every later class load a little, so at JVM start it is added only
     * where a hooked kernel can appear, or when {@code cell-hooks=force} says so; an operator's
     * attach always adds it (and retransforms the kernel classes already loaded).
     */
    private static boolean wantsCellHooks(AgentConfig config, String main, boolean explicit) {
        String mode = config.cellHooks();
        if (mode.equals(AgentConfig.CELL_HOOKS_OFF)) {
            return false;
        }
        return explicit || mode.equals(AgentConfig.CELL_HOOKS_FORCE) || KernelHooks.kernelMayAppear(main);
    }

    /** Starts the exporter on the calling thread and says where it serves. */
    public static synchronized AgentRuntime start(AgentConfig config) throws java.io.IOException {
        if (current != null) {
            return current;
        }
        try {
            return startNow(config);
        } finally {
            ExitActions.startFinished();
        }
    }

    private static AgentRuntime startNow(AgentConfig config) throws java.io.IOException {
        return Wiring.build(config);
    }

    /** Makes the runtime {@link #current()}: the wiring calls it once the server answers. */
    static void publish(AgentRuntime runtime) {
        current = runtime;
    }

    /** The start off the host's main thread; a class, not a lambda, which premain would pay to link. */
    private static final class Starter implements Runnable {
        private final AgentConfig config;

        Starter(AgentConfig config) {
            this.config = config;
        }

        @Override
        public void run() {
            try {
                start(config);
            } catch (Throwable t) {
                Log.error("not exporting", t);
                AgentProperties.failed("not exporting: " + Log.describe(t));
            }
        }
    }

    public AgentConfig config() {
        return config;
    }

    public LabelledRegistry registry() {
        return registry;
    }

    public ExporterServer server() {
        return server;
    }
}
