package org.afmetrics;

import java.lang.instrument.Instrumentation;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.config.HostSelection;
import org.afmetrics.exporter.ExporterServer;
import org.afmetrics.exporter.LabelledRegistry;

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

    static void launch(String args, Instrumentation instrumentation) {
        AgentConfig config = AgentConfig.fromEnvironment(args);
        if (!HostSelection.isActive(HostSelection.mainOf(System.getProperty("sun.java.command")), config)) {
            return;
        }
        for (String w : config.warnings()) {
            Log.warn(w);
        }
        Thread starter = new Thread(new Starter(config), "af-metrics-start");
        starter.setDaemon(true);
        starter.start();
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
            }
        }
    }

    /** Starts the exporter on the calling thread and says where it serves. */
    public static synchronized AgentRuntime start(AgentConfig config) throws java.io.IOException {
        if (current != null) {
            return current;
        }
        AgentRuntime runtime = Wiring.build(config);
        current = runtime;
        return runtime;
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
