package org.afmetrics;

import java.io.IOException;
import java.nio.file.Paths;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.exporter.AgentInfoCollector;
import org.afmetrics.exporter.DeferredHotspotCollector;
import org.afmetrics.exporter.ExporterServer;
import org.afmetrics.exporter.HttpSecurity;
import org.afmetrics.exporter.InternalErrorsCollector;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.exporter.LandingPage;
import org.afmetrics.facility.Facility;
import org.afmetrics.identity.Identity;
import org.afmetrics.identity.IdentityDetector;
import org.afmetrics.kernel.KernelHooks;
import org.afmetrics.notebook.NotebookCollector;
import org.afmetrics.notebook.ParseGate;
import org.afmetrics.notebook.PushedMetrics;
import org.afmetrics.support.AgentProperties;
import org.afmetrics.support.Log;
import org.afmetrics.support.Version;

/**
 * Builds the data path: notebook JSON and JVM collectors into the labelled registry, the registry
 * behind the HTTP server. A class of its own so that premain, which links {@link AgentRuntime},
 * does not also load every collector class just to verify this code: that happens on the
 * starter thread, off the host's main.
 */
final class Wiring {
    private Wiring() {
    }

    static ExporterServer build(AgentConfig config) throws IOException {
        DeferredHotspotCollector hotspot = null;
        if (config.hotspot()) {
            hotspot = new DeferredHotspotCollector();
            hotspot.startLoading();
        }
        Identity identity = IdentityDetector.forThisJvm().detect(config);
        LabelledRegistry registry = new LabelledRegistry(identity);
        KernelHooks.attach(registry);
        registry.register(new AgentInfoCollector(Version.get()));
        registry.register(new InternalErrorsCollector());
        if (hotspot != null) {
            registry.register(hotspot);
        }
        ParseGate oneDocumentAtATime = new ParseGate();
        PushedMetrics pushed = config.push()
                ? new PushedMetrics(config.prefix(), identity.reservedLabelNames(), config.jsonMaxSeries(),
                        oneDocumentAtATime)
                : null;
        NotebookCollector notebook = new NotebookCollector(config.jsonSources(),
                Paths.get(System.getProperty("user.dir", ".")), config.prefix(),
                identity.reservedLabelNames(), config.jsonMaxBytes(), config.jsonMaxSeries(), pushed,
                oneDocumentAtATime);
        registry.register(notebook);
        Facility.registryReady(config, registry);
        ExporterServer server;
        try {
            server = ExporterServer.start(config.host(), config.ports(), registry, pushed,
                    config.pushMaxBytes(), HttpSecurity.fromConfig(config),
                    new LandingPage(Version.get(), registry::identity, notebook::refresh, pushed != null),
                    config.maxConnections());
        } catch (java.security.GeneralSecurityException e) {
            throw new java.io.IOException("access control: " + Log.describe(e), e);
        }
        Facility.serving(config, identity, server.address());
        AgentProperties.published(server.url(), identity.user(), identity.session(), identity.labels().get("notebook"),
                String.join(";", config.jsonSources()));
        Log.info("exporting on " + server.url() + " user=" + identity.user() + " session=" + identity.session());
        return server;
    }
}
