package org.afmetrics.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.afmetrics.testing.apps.SleepMain;

/**
 * Plain JVMs with the agent, for two users: alice's notebook writes a good JSON metrics file,
 * bob's a broken one, so the JVM, notebook and exporter-health metrics all have real data.
 * No cell metrics: those come from a kernel.
 */
public final class AgentJvmWorkload implements ScrapedWorkload {
    private final List<ChildJvm.Running> jvms = new ArrayList<>();

    @Override
    public void start(Path targetsDir, Path scratch) throws Exception {
        Path good = scratch.resolve("alice.json");
        Files.writeString(good, "{\"entries\": 125000, \"bytesread\": 7340032, \"processtime\": 1.5,"
                + " \"cutflow\": [{\"metric\": {\"cut\": \"all\"}, \"value\": 125000},"
                + " {\"metric\": {\"cut\": \"njet>=2\"}, \"value\": 41000}]}");
        Path broken = scratch.resolve("bob.json");
        Files.writeString(broken, "{\"entries\": 12");
        jvms.add(start(targetsDir, "alice", "alice-1", good));
        jvms.add(start(targetsDir, "bob", "bob-1", broken));
        for (ChildJvm.Running r : jvms) {
            r.awaitExporterUrl(Duration.ofSeconds(60));
        }
    }

    private static ChildJvm.Running start(Path targetsDir, String user, String session, Path json) throws Exception {
        return ChildJvm.main(SleepMain.class, "600000")
                .agent("port=0,targets-dir=" + targetsDir + ",user=" + user + ",session=" + session + ",json=" + json)
                .start();
    }

    @Override
    public String describe() {
        return "two JVMs with the agent (alice: good notebook JSON, bob: broken JSON)";
    }

    @Override
    public void close() {
        jvms.forEach(ChildJvm.Running::close);
    }
}
