package org.afmetrics.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.afmetrics.testing.apps.SleepMain;

/**
 * Plain JVMs with the agent, for three users: alice's notebook writes a good JSON metrics file,
 * bob's a broken one, so the JVM, notebook and exporter-health metrics all have real data; carol's
 * JVM is one a (non-JVM) kernel started, so it reports under that kernel's session as
 * {@code jvm="child"}. No cell metrics: those come from a kernel.
 */
public final class AgentJvmWorkload implements ScrapedWorkload {
    /** The session of carol's kernel: the id in its connection file's name. */
    public static final String CHILD_SESSION = UUID.randomUUID().toString();
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
        // a shell that stays the JVM's parent (a command after the JVM keeps bash from exec-ing it), its
        // arguments holding a connection file as a Python kernel's do
        jvms.add(ChildJvm.main(SleepMain.class, "600000").agent("port=0,targets-dir=" + targetsDir + ",user=carol")
                .launcher(List.of("bash", "-c", "shift; \"$@\"; exit $?", "bash",
                        scratch.resolve("kernel-" + CHILD_SESSION + ".json").toString()))
                .start());
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
        return "three JVMs with the agent (alice: good notebook JSON, bob: broken JSON, carol: a JVM a kernel started)";
    }

    @Override
    public void close() {
        jvms.forEach(ChildJvm.Running::close);
    }
}
