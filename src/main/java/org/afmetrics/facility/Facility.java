package org.afmetrics.facility;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.identity.Identity;
import org.afmetrics.support.Log;

/**
 * The agent's part in the facility: its target file for Prometheus's discovery and its push at
 * exit. Each step that fails says so in one line and leaves the exporter as it is.
 */
public final class Facility {
    private Facility() {
    }

    /** Before the exporter binds, so that a JVM whose exporter cannot bind still pushes at exit. */
    public static void registryReady(AgentConfig config, LabelledRegistry registry) {
        if (config.pushgateway().isEmpty()) {
            return;
        }
        PushAtExit push;
        try {
            push = new PushAtExit(config.pushgateway().get(), config.pushgatewayJob(),
                    config.pushTimeoutMs());
        } catch (MalformedURLException e) {
            Log.warn("pushgateway: " + e.getMessage() + "; no push at exit");
            return;
        }
        ExitActions.add(push.toString(), () -> push.push(registry, registry.identity()), config.pushTimeoutMs());
    }

    /** Once serving: removes stale target files of this host, writes this JVM's own. */
    public static void serving(AgentConfig config, Identity identity, InetSocketAddress bound) {
        if (config.targetsDir().isEmpty()) {
            return;
        }
        Path dir = Paths.get(config.targetsDir().get());
        String hostName = HostNames.local();
        try {
            TargetsDir targets = new TargetsDir(dir, hostName);
            // files of other users that this user may not delete are theirs to clean up at their next start
            List<TargetsDir.Entry> removed = targets.gc(p -> { });
            if (!removed.isEmpty()) {
                Log.info("removed " + removed.size() + " stale target file" + (removed.size() == 1 ? "" : "s")
                        + " from " + dir);
            }
            ProcessHandle self = ProcessHandle.current();
            Map<String, String> info = new LinkedHashMap<>();
            info.put("user", identity.user());
            info.put("session", identity.session());
            String role = identity.labels().get(org.afmetrics.identity.IdentityDetector.ROLE);
            if (role != null) {
                info.put(org.afmetrics.identity.IdentityDetector.ROLE, role);
            }
            TargetFile file = new TargetFile(HostNames.target(config.advertiseHost().orElse(""), bound), hostName,
                    self.pid(), TargetsDir.startMillis(self), info).startTicks(TargetsDir.startTicks(self));
            if (config.tlsKeystore().isPresent()) {
                file.https();
            }
            if (!ExitActions.beginUndoable(config.pushTimeoutMs())) {
                return; // the JVM is exiting: a file now would outlive it
            }
            Path written = null;
            try {
                written = file.writeInto(dir);
            } finally {
                Path w = written;
                ExitActions.endUndoable("removing " + w, w == null ? null : () -> Files.deleteIfExists(w));
            }
        } catch (IOException | RuntimeException e) {
            Log.warn("targets-dir " + dir + ": cannot write the target file: " + Log.describe(e));
        }
    }
}
