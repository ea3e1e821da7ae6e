package org.afmetrics;

import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.config.HostSelection;
import org.afmetrics.exporter.AgentInfoCollector;
import org.afmetrics.exporter.DeferredHotspotCollector;
import org.afmetrics.exporter.ExporterServer;
import org.afmetrics.exporter.HttpSecurity;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.exporter.LandingPage;
import org.afmetrics.facility.ExitActions;
import org.afmetrics.facility.Facility;
import org.afmetrics.identity.Identity;
import org.afmetrics.identity.IdentityDetector;
import org.afmetrics.kernel.KernelHooks;
import org.afmetrics.notebook.NotebookCollector;
import org.afmetrics.notebook.PushedMetrics;

/**
 * The running agent: one per JVM. Wires the data path (notebook JSON and JVM collectors into
 * the labelled registry, the registry behind the HTTP server) on a daemon thread.
 */
public final class AgentRuntime {
    private static volatile AgentRuntime current;

    private final AgentConfig config;
    private final LabelledRegistry registry;
    private final ExporterServer server;

    private AgentRuntime(AgentConfig config, LabelledRegistry registry, ExporterServer server) {
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
        if (!explicit
                && !HostSelection.isActive(HostSelection.mainOf(System.getProperty("sun.java.command")), config)) {
            return;
        }
        for (String w : config.warnings()) {
            Log.warn(w);
        }
        Facility.prepare(config);
        if (instrumentation != null && config.flag(ConfigKey.CELL_HOOKS)) {
            // before the host's main runs, so the kernel classes are seen as they load
            KernelHooks.install(instrumentation);
        }
        Thread starter = new Thread(() -> {
            try {
                start(config);
            } catch (Throwable t) {
                Log.error("not exporting", t);
                AgentProperties.failed("not exporting: " + Log.describe(t));
            }
        }, "af-metrics-start");
        starter.setDaemon(true);
        starter.start();
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
        DeferredHotspotCollector hotspot = null;
        if (config.flag(ConfigKey.HOTSPOT)) {
            hotspot = new DeferredHotspotCollector();
            hotspot.startLoading();
        }
        Identity identity = IdentityDetector.forThisJvm().detect(config);
        LabelledRegistry registry = new LabelledRegistry(identity);
        KernelHooks.attach(registry);
        registry.register(new AgentInfoCollector(Version.get()));
        if (hotspot != null) {
            registry.register(hotspot);
        }
        PushedMetrics pushed = config.flag(ConfigKey.PUSH)
                ? new PushedMetrics(config.get(ConfigKey.PREFIX), identity.reservedLabelNames(), config.jsonMaxSeries())
                : null;
        NotebookCollector notebook = new NotebookCollector(config.jsonSources(),
                Paths.get(System.getProperty("user.dir", ".")), config.get(ConfigKey.PREFIX),
                identity.reservedLabelNames(), config.jsonMaxBytes(), config.jsonMaxSeries(), pushed);
        registry.register(notebook);
        Facility.registryReady(config, registry);
        ExporterServer server;
        try {
            server = ExporterServer.start(config.get(ConfigKey.HOST), config.ports(), registry, pushed,
                    config.jsonMaxBytes(), HttpSecurity.fromConfig(config),
                    new LandingPage(Version.get(), registry::identity, notebook::refresh, pushed != null));
        } catch (java.security.GeneralSecurityException e) {
            throw new java.io.IOException("access control: " + Log.describe(e), e);
        }
        AgentRuntime runtime = new AgentRuntime(config, registry, server);
        current = runtime;
        Facility.serving(config, identity, server.address());
        AgentProperties.published(server.url(), identity.user(), identity.session(), identity.labels().get("notebook"),
                String.join(";", config.jsonSources()));
        Log.info("exporting on " + server.url() + " user=" + identity.user() + " session=" + identity.session());
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
